"""The presets' band descriptions were English ("70% or more"); a city reads them in Japanese."""

from django.db import migrations

JAPANESE = {
    "100% or more": "100%以上",
    "70% or more": "70%以上100%未満",
    "less than 70%": "70%未満",
    "110% or more": "110%以上",
    "80% to less than 110%": "80%以上110%未満",
    "50% to less than 80%": "50%以上80%未満",
    "less than 50%": "50%未満",
    "target reached": "目標値に到達",
    "improved on the baseline": "基準値より改善",
    "unchanged from the baseline": "基準値から横ばい",
    "worse than the baseline": "基準値より悪化",
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    GradeBand = apps.get_model("evaluation", "GradeBand")
    for english, japanese in JAPANESE.items():
        GradeBand.objects.filter(description=english).update(description=japanese)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    GradeBand = apps.get_model("evaluation", "GradeBand")
    for english, japanese in JAPANESE.items():
        GradeBand.objects.filter(description=japanese).update(description=english)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
