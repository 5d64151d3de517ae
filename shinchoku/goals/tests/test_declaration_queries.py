"""The declaration page costs a fixed number of queries however many goals and indicators it holds."""

from __future__ import annotations

from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.figures import parse_figure
from shinchoku.goals.models import GoalDeclaration
from shinchoku.goals.services import goal_create, indicator_create
from shinchoku.organizations.models import Section


def test_declaration_page_with_30_goals_and_90_indicators_is_bounded(
    client: Client,
    declaration: GoalDeclaration,
    section: Section,
    sibling_section: Section,
    department_head,
    staff,
    actor: Actor,
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        goal = goal_create(
            declaration=declaration, title=f"取組{n}", sections=[section, sibling_section], actor=actor
        )
        for k in range(3):
            indicator_create(
                goal=goal,
                name=f"指標{n}-{k}",
                baseline=parse_figure("100件"),
                target=parse_figure("120件"),
                actor=actor,
            )
    url = f"/m/midori/declarations/{declaration.pk}/"
    for user in (department_head, staff):  # with every form, and read only
        client.force_login(user)
        # + the count of what waits for the user, in the navigation (2)
        with django_assert_max_num_queries(17):
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('<tr id="indicator-') == 90
    client.force_login(department_head)
    goal = declaration.goals.get(number=30)
    # Saving changes this goal's sections and its own three indicators' sections (audited), then
    # renders the goal again: the cost follows that goal, not the declaration's 30 goals.
    with django_assert_max_num_queries(45):
        response = client.post(
            f"{url}goals/{goal.pk}/",
            {
                f"g{goal.pk}-title": "変更",
                f"g{goal.pk}-sections": [section.pk],
                f"g{goal.pk}-version": goal.version,
            },
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
