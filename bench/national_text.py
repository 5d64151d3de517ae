"""Japanese administrative text for bench/national.py: names and sentences of realistic length.

Drawn from a vocabulary of what municipal reports say (施策, 事業, 指標), not lorem ipsum, so that
trigram search meets the repetition real reports have: the same words in many cities, few
identical sentences. Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]  # fmt: skip
PLACE_PARTS = list(
    "青赤朝旭東西南北上下中大小高山川田原野沢津浦島崎岡丘森林松杉竹梅桜花菊藤石岩金銀鶴亀龍鷹"
    "若富豊栄福寿長広平安新本古清明光春夏秋冬緑白黒宮城井坂谷浜湊鹿熊猪馬犬羽美和泉"
)
KINDS = ["市", "町", "村"]

TOPICS = [
    "防災", "減災", "地域防災力", "健康づくり", "子育て支援", "保育", "学童保育", "高齢者福祉", "介護予防",
    "障がい者福祉", "地域福祉", "生活困窮者支援", "公共交通", "地域公共交通", "道路整備", "橋りょう長寿命化",
    "上水道", "下水道", "環境保全", "脱炭素", "ごみ減量", "資源循環", "観光振興", "農業振興", "林業振興",
    "水産業振興", "商工業振興", "中心市街地活性化", "企業誘致", "雇用促進", "移住定住", "シティプロモーション",
    "デジタル化", "行政手続のオンライン化", "行財政改革", "公共施設マネジメント", "文化振興", "文化財保護",
    "スポーツ推進", "生涯学習", "学校教育", "教育環境", "青少年健全育成", "男女共同参画", "多文化共生",
    "人権啓発", "市民協働", "自治会活動", "消費者保護", "交通安全", "防犯", "空き家対策", "都市計画",
    "景観形成", "公園整備", "住宅政策", "国民健康保険", "国民年金", "税務", "収納率向上", "情報公開",
    "広報", "広聴", "選挙啓発", "消防", "救急", "地域医療", "感染症対策", "食育", "動物愛護",
]  # fmt: skip
SUBJECTS = [
    "市民", "地域住民", "子育て世帯", "高齢者", "障がいのある方", "事業者", "中小企業", "農業者", "観光客",
    "児童生徒", "保護者", "自治会", "ボランティア団体", "NPO法人", "関係機関", "庁内各課", "大学", "金融機関",
]  # fmt: skip
METHODS = [
    "出前講座", "説明会", "ワークショップ", "アンケート調査", "パブリックコメント", "補助金制度", "相談窓口",
    "啓発イベント", "広報紙", "ホームページ", "SNS", "研修会", "実証事業", "協議会", "連携協定", "個別訪問",
    "オンライン申請", "マッチング支援", "講演会", "点検調査",
]  # fmt: skip
ACTIONS = ["推進", "充実", "強化", "促進", "支援", "見直し", "整備", "啓発", "周知", "拡充", "検討", "改善"]
VERBS = ["実施しました", "開催しました", "行いました", "進めました", "取り組みました", "拡充しました"]
PLAN_VERBS = ["実施する", "継続する", "拡充する", "検討する", "推進する", "見直す"]
DEPARTMENTS = [
    "総務部", "企画部", "財務部", "市民部", "福祉部", "健康部", "こども未来部", "環境部", "経済部", "産業振興部",
    "観光部", "農林部", "都市部", "都市整備部", "建設部", "上下水道部", "教育部", "生涯学習部", "文化スポーツ部",
    "危機管理部", "消防本部", "会計部", "議会事務局", "デジタル推進部", "市民協働部", "保健福祉部", "子育て支援部",
    "まちづくり部", "交通政策部", "税務部", "行政改革推進部", "地域振興部", "国際交流部", "住宅部", "公園緑地部",
    "清掃部", "病院事業部", "選挙管理委員会事務局", "監査委員事務局", "農業委員会事務局",
]  # fmt: skip
UNITS = ["件", "人", "%", "回", "団体", "か所", "円", "世帯", "t", "km"]
CLASSIFICATIONS = [
    ("I", "担当課で実施に向けた検討を行う。"),
    ("II", "担当課で現在の取り組みを継続・充実する。"),
    ("III", "関係課と連携して取り組みを拡充する。"),
    ("IV", "取り組みの見直しを行う。"),
    ("V", "取り組みを完了した。"),
]


def place_name(rng: random.Random) -> str:
    return "".join(rng.choice(PLACE_PARTS) for _ in range(rng.choice((2, 2, 2, 3))))


def topic(rng: random.Random) -> str:
    return rng.choice(TOPICS)


def section_names(rng: random.Random, count: int) -> list[str]:
    """Distinct section names: 「防災課」「子育て支援第二課」「観光振興室」…"""
    names: list[str] = []
    seen: set[str] = set()
    suffixes = ["課", "課", "課", "室", "センター"]
    ordinals = ["", "第一", "第二", "第三", "第四"]
    while len(names) < count:
        name = (
            f"{rng.choice(TOPICS)}{rng.choice(ordinals) if rng.random() < 0.2 else ''}{rng.choice(suffixes)}"
        )
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def sentence(rng: random.Random) -> str:
    subject, theme, method = rng.choice(SUBJECTS), rng.choice(TOPICS), rng.choice(METHODS)
    forms = (
        f"{subject}を対象とした{theme}の{method}を{rng.randint(2, 48)}回{rng.choice(VERBS)}。",
        f"{theme}の{rng.choice(ACTIONS)}に向けて、{subject}と連携し{method}を{rng.choice(VERBS)}。",
        f"{method}を通じて{subject}の{theme}に関する意識の向上を図りました。",
        f"{theme}に係る{method}の利用者は{rng.randint(10, 9800):,}人となり、前年度を上回りました。",
        f"{subject}からの意見を踏まえ、{theme}の{rng.choice(ACTIONS)}に関する取組を{rng.choice(VERBS)}。",
    )
    return rng.choice(forms)


def plan_sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)}と連携し、{rng.choice(TOPICS)}の{rng.choice(METHODS)}を"
        f"{rng.choice(PLAN_VERBS)}。"
    )


def paragraph(rng: random.Random, sentences: tuple[int, int]) -> str:
    """「・」bullets, one sentence each, as the reports write their columns."""
    return "\n".join(f"・{sentence(rng)}" for _ in range(rng.randint(*sentences)))


def goal_title(rng: random.Random) -> str:
    forms = (
        f"{rng.choice(TOPICS)}の{rng.choice(ACTIONS)}",
        f"{rng.choice(SUBJECTS)}の{rng.choice(TOPICS)}に向けた{rng.choice(METHODS)}の{rng.choice(ACTIONS)}",
        f"{rng.choice(TOPICS)}と{rng.choice(TOPICS)}の一体的な{rng.choice(ACTIONS)}",
    )
    return rng.choice(forms)


def indicator_name(rng: random.Random, unit: str) -> str:
    what = {
        "件": "相談件数",
        "人": "参加者数",
        "%": "満足度",
        "回": "開催回数",
        "団体": "登録団体数",
        "か所": "整備箇所数",
        "円": "事業費",
        "世帯": "利用世帯数",
        "t": "排出量",
        "km": "整備延長",
    }[unit]
    return f"{rng.choice(TOPICS)}に関する{rng.choice(METHODS)}の{what}"
