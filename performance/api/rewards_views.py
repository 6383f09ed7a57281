"""Reward endpoints: rules and versions, awards (propose, approve, reject, pay, export), outcomes, the rewards
simulation and the leaderboard of a period."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import Team
from common import exports
from common.filters import StrictOrderingFilter
from common.viewsets import ADMIN_ONLY, TenantScopedViewSet
from performance.api import rewards_filters as filters
from performance.api import rewards_serializers as serializers
from performance.api.scoring_views import _ChildOfMixin, _path_int
from performance.models import (
    Award,
    AwardStatus,
    KpiPeriod,
    PeriodStatus,
    RewardOutcome,
    RewardRule,
    RewardRuleVersion,
)
from performance.reward_selectors import leaderboard
from performance.services import rewards as services
from performance.services.rewards.money import money_round
from performance.services.rewards.rules import rule_spec, rule_spec_of, validate_version
from performance.services.rewards.simulation import totals_per_team

RULE_READERS = frozenset({"admin", "supervisor"})
AWARD_READERS = frozenset({"admin", "supervisor", "agent"})
PROPOSERS = frozenset({"admin", "supervisor"})
LEADERBOARD_READERS = frozenset({"admin", "supervisor", "qa_lead", "agent"})
CONFLICT = OpenApiResponse(description="Refused in the current state (problem details with a code).")
RULES_NOTE = (
    "Kinds: tiers (params.metric total or a KPI code; params.tiers bands with lower/upper bounds, each inclusive "
    "or exclusive, and an amount/title per tier; overlapping tiers are a 400, gaps a warning), rank (params.top_n "
    "or params.top_percent: top P % = ceil(P × eligible / 100); everyone tied at the cut-off is in), team "
    "(params.statistic mean|median, award_to member|team, min_members), improvement (gain of total against the "
    "previous period of the same kind; params.top_n default 1, min_previous_handled, min_gain). Gates, all "
    "optional: min_handled, min_attendance (Σ worked / Σ scheduled shift minutes × 100; no scheduled shift fails "
    "it), no_auto_failed_qa, min_tenure_days (hired_on to the period's exclusive end; unknown fails), "
    "excluded_agents. Amount: fixed, percent_of_base (of the agent's base_amount) or none (title only), rounded "
    "half-up to the currency's minor unit. budget_cap: awards are paid in rank order; the one that reaches the cap "
    "gets the remainder, later ones nothing (their title still). A period uses the version in effect on its "
    "first day; a version with awards in a closed period is frozen (409): add a new version instead.")
AWARDS_NOTE = (
    "Rule awards are written by the period's computation and are provisional until the period closes (each "
    "recomputation replaces them); afterwards a score adjustment adds adjustment awards (the difference), never "
    "a silent change. pending → approved (admins; rule awards only once the period is closed) → paid; "
    "discretionary proposals can be rejected. Admins see all, supervisors the awards of teams granted to them, "
    "agents their own (and their team's team awards). `explanation` says why: rule, tier/rank/gain, the numbers.")


@extend_schema_view(
    list=extend_schema(summary="List reward rules"),
    retrieve=extend_schema(summary="Get a reward rule"),
    create=extend_schema(summary="Create a reward rule (its versions say what it rewards)",
                         request=serializers.RewardRuleSerializer, responses={201: serializers.RewardRuleSerializer}),
    partial_update=extend_schema(summary="Rename or describe a reward rule",
                                 request=serializers.RewardRuleUpdateSerializer,
                                 responses=serializers.RewardRuleSerializer),
    destroy=extend_schema(summary="Delete a rule that never gave awards", responses={204: None, 409: CONFLICT}),
)
class RewardRuleViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = RewardRule.objects.all()
    serializer_class = serializers.RewardRuleSerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": RULE_READERS, "retrieve": RULE_READERS, "create": ADMIN_ONLY,
                    "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, tenant_slug):
        payload = serializers.RewardRuleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rule = services.reward_rule_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        rule = self.get_object()
        payload = serializers.RewardRuleUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rule = services.reward_rule_update(actor=self.actor, rule=rule, **payload.validated_data)
        return Response(self.get_serializer(rule).data)

    def destroy(self, request, tenant_slug, pk):
        services.reward_rule_delete(actor=self.actor, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _frozen_annotation():
    closed = Q(period__status=PeriodStatus.CLOSED, rule_version=OuterRef("pk"))
    return Exists(Award.objects.filter(closed)) | Exists(RewardOutcome.objects.filter(closed))


@extend_schema_view(
    list=extend_schema(summary="List a reward rule's versions"),
    retrieve=extend_schema(summary="Get a reward rule version"),
    create=extend_schema(summary="Add a version (ends the rule's version in effect on effective_from there)",
                         description=RULES_NOTE, request=serializers.RewardRuleVersionInputSerializer,
                         responses={201: serializers.RewardRuleVersionWithWarningsSerializer}),
    update=extend_schema(summary="Replace a version that is not frozen (send the whole definition)",
                         description=RULES_NOTE, request=serializers.RewardRuleVersionInputSerializer,
                         responses={200: serializers.RewardRuleVersionWithWarningsSerializer, 409: CONFLICT}),
    destroy=extend_schema(summary="Delete a version that is not frozen (its provisional awards go with it)",
                          responses={204: None, 409: CONFLICT}),
)
@extend_schema(parameters=[_path_int("rule_pk", "The reward rule's id.")])
class RewardRuleVersionViewSet(_ChildOfMixin, TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = RewardRuleVersion.objects.prefetch_related("team_links").annotate(is_frozen=_frozen_annotation())
    serializer_class = serializers.RewardRuleVersionSerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["number", "effective_from"]
    ordering = ["number"]
    parent_model, parent_kwarg, parent_field = RewardRule, "rule_pk", "rule"
    action_roles = {"list": RULE_READERS, "retrieve": RULE_READERS, "create": ADMIN_ONLY, "update": ADMIN_ONLY,
                    "destroy": ADMIN_ONLY}
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def _respond(self, version, warnings, code=status.HTTP_200_OK) -> Response:
        data = serializers.RewardRuleVersionSerializer(self.get_queryset().get(pk=version.pk)).data
        return Response({**data, "warnings": warnings}, status=code)

    def _payload(self) -> dict:
        payload = serializers.RewardRuleVersionInputSerializer(data=self.request.data,
                                                               context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def create(self, request, tenant_slug, rule_pk):
        version, warnings = services.reward_rule_version_create(actor=self.actor, rule=self.parent,
                                                                data=self._payload())
        return self._respond(version, warnings, status.HTTP_201_CREATED)

    def update(self, request, tenant_slug, rule_pk, pk):
        version = self.get_object()
        version, warnings = services.reward_rule_version_update(actor=self.actor, version=version,
                                                                data=self._payload())
        return self._respond(version, warnings)

    def destroy(self, request, tenant_slug, rule_pk, pk):
        services.reward_rule_version_delete(actor=self.actor, version=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


AWARD_QUERYSET = Award.objects.select_related("period", "agent", "rule_version__rule", "revision")
EXPORT_COLUMNS = [
    exports.Column(_("Award"), lambda a: a.pk),
    exports.Column(_("Period"), lambda a: a.period.name),
    exports.Column(_("Employee code"), lambda a: a.agent.employee_code if a.agent_id else None),
    exports.Column(_("Agent"), lambda a: a.agent.display_name if a.agent_id else None),
    exports.Column(_("Team"), lambda a: a.team.name if a.team_id else None),
    exports.Column(_("Source"), lambda a: gettext(a.get_source_display())),
    exports.Column(_("Rule"), lambda a: a.rule_version.rule.name if a.rule_version_id else None),
    exports.Column(_("Amount"), lambda a: money_round(a.amount, a.currency)),
    exports.Column(_("Currency"), lambda a: a.currency),
    exports.Column(_("Title"), lambda a: a.title or None),
    exports.Column(_("Approved at"), lambda a: a.decided_at),
]
FILE_FORMAT_PARAMETER = OpenApiParameter("file_format", OpenApiTypes.STR, enum=list(exports.FILE_FORMATS),
                                        description="csv (default) or xlsx.")


@extend_schema_view(
    list=extend_schema(summary="List awards (rule-based, discretionary and adjustments)", description=AWARDS_NOTE),
    retrieve=extend_schema(summary="Get an award with its explanation", description=AWARDS_NOTE),
    create=extend_schema(
        summary="Propose a discretionary award (supervisors for agents of teams they manage; admins)",
        description="A reason, and an amount and/or a title; pending until an admin approves or rejects it.",
        request=serializers.AwardProposeSerializer, responses={201: serializers.AwardSerializer}),
)
class AwardViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AWARD_QUERYSET
    serializer_class = serializers.AwardSerializer
    filterset_class = filters.AwardFilter
    ordering_fields = ["created_at", "amount", "id"]
    ordering = ["period_id", "rule_version_id", "position", "id"]
    action_roles = {"list": AWARD_READERS, "retrieve": AWARD_READERS, "create": PROPOSERS, "approve": ADMIN_ONLY,
                    "reject": ADMIN_ONLY, "pay": ADMIN_ONLY, "bulk_approve": ADMIN_ONLY, "bulk_pay": ADMIN_ONLY,
                    "export": ADMIN_ONLY}
    object_scopes = {"approve": "manage", "reject": "manage", "pay": "manage"}
    list_actions = frozenset({"list", "export"})
    query_params = {"export": frozenset({"file_format"})}

    def create(self, request, tenant_slug):
        payload = serializers.AwardProposeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        award = services.award_propose(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(AWARD_QUERYSET.get(pk=award.pk)).data, status=status.HTTP_201_CREATED)

    def _one(self, award) -> Response:
        return Response(self.get_serializer(AWARD_QUERYSET.get(pk=award.pk)).data)

    @extend_schema(summary="Approve a pending award", request=serializers.AwardDecisionSerializer,
                   responses={200: serializers.AwardSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, tenant_slug, pk):
        award = self.get_object()
        payload = serializers.AwardDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        (award,) = services.awards_approve(actor=self.actor, awards=[award], **payload.validated_data)
        return self._one(award)

    @extend_schema(summary="Reject a pending discretionary proposal", request=serializers.AwardDecisionSerializer,
                   responses={200: serializers.AwardSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, tenant_slug, pk):
        award = self.get_object()
        payload = serializers.AwardDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._one(services.award_reject(actor=self.actor, award=award, **payload.validated_data))

    @extend_schema(summary="Mark an approved award paid", request=None,
                   responses={200: serializers.AwardSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def pay(self, request, tenant_slug, pk):
        (award,) = services.awards_pay(actor=self.actor, awards=[self.get_object()])
        return self._one(award)

    def _bulk(self, change) -> Response:
        payload = serializers.AwardBulkSerializer(data=self.request.data)
        payload.is_valid(raise_exception=True)
        ids = payload.validated_data["awards"]
        awards = list(Award.objects.for_actor(self.actor, "manage").filter(pk__in=ids))
        missing = sorted(set(ids) - {a.pk for a in awards})
        if missing:
            raise ValidationError({"awards": [_("No such awards: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]})
        changed = change(awards, payload.validated_data["note"])
        rows = AWARD_QUERYSET.filter(pk__in=[a.pk for a in changed]).order_by("id")
        return Response({"count": len(changed), "awards": serializers.AwardSerializer(rows, many=True).data})

    @extend_schema(summary="Approve several pending awards at once (all or none)",
                   operation_id="tenants_awards_bulk_approve",
                   request=serializers.AwardBulkSerializer,
                   responses={200: serializers.AwardBulkResultSerializer, 409: CONFLICT})
    @action(detail=False, methods=["post"], url_path="approve")
    def bulk_approve(self, request, tenant_slug):
        return self._bulk(lambda awards, note: services.awards_approve(actor=self.actor, awards=awards, note=note))

    @extend_schema(summary="Mark several approved awards paid at once (all or none)",
                   operation_id="tenants_awards_bulk_pay",
                   request=serializers.AwardBulkSerializer,
                   responses={200: serializers.AwardBulkResultSerializer, 409: CONFLICT})
    @action(detail=False, methods=["post"], url_path="pay")
    def bulk_pay(self, request, tenant_slug):
        return self._bulk(lambda awards, note: services.awards_pay(actor=self.actor, awards=awards))

    @extend_schema(
        summary="Payroll export of approved awards (CSV or XLSX), with the list's filters",
        description="Approved (not yet paid) awards, amounts in the currency's minor unit. CSV is UTF-8 with a "
                    "byte-order mark; headers in the response's language.",
        parameters=[FILE_FORMAT_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, exports.CONTENT_TYPES[exports.XLSX]): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], filter_backends=[DjangoFilterBackend])
    def export(self, request, tenant_slug):
        file_format = exports.file_format_from(request.query_params)
        awards = self.filter_queryset(self.get_queryset()).filter(status=AwardStatus.APPROVED).select_related(
            "team").order_by("period__start", "agent__employee_code", "id")
        return exports.streamed_export_response(rows=awards, columns=EXPORT_COLUMNS, file_format=file_format,
                                                time_zone=self.actor.tenant.time_zone, filename="awards-approved",
                                                sheet_title="awards")


@extend_schema_view(list=extend_schema(
    summary="Why each agent (or team) in a rule's scope got an award or not, per period",
    description="One row per rule version and agent in its scope in the period's current results: `code` is "
                "awarded, unscored, gate_failed (explanation.gates_failed: gate, required, actual), no_value, "
                "no_tier (explanation.nearest_tier with the gap), outside_cut_off (rank or gain rank and the "
                "cut-off), team_not_best / team_too_small, no_previous, gain_too_small, no_base_amount or "
                "budget_exhausted. Visible like awards."))
class RewardOutcomeViewSet(TenantScopedViewSet, mixins.ListModelMixin):
    queryset = RewardOutcome.objects.select_related("agent", "rule_version__rule")
    serializer_class = serializers.RewardOutcomeSerializer
    filterset_class = filters.RewardOutcomeFilter
    ordering_fields = ["id"]
    ordering = ["period_id", "rule_version_id", "id"]
    action_roles = {"list": AWARD_READERS}


@extend_schema(parameters=[_path_int("period_pk", "The period's id.")])
class RewardSimulationViewSet(_ChildOfMixin, TenantScopedViewSet):
    queryset = KpiPeriod.objects.select_related("tenant", "current_revision")
    parent_model, parent_kwarg, parent_field = KpiPeriod, "period_pk", "pk"
    action_roles = {"create": ADMIN_ONLY}

    @extend_schema(
        summary="What-if: what rule versions (stored or inline) would award on this period; saves nothing",
        description="Evaluated exactly like the computation's award step, on the period's current results, with "
                    "the total payout per rule and per team. " + RULES_NOTE,
        request=serializers.SimulateRewardsInputSerializer, responses=serializers.SimulateRewardsSerializer)
    def create(self, request, tenant_slug, period_pk):
        payload = serializers.SimulateRewardsInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        stored = RewardRuleVersion.objects.filter(
            pk__in=[v.pk for v in payload.validated_data["rule_versions"]]).select_related("rule").prefetch_related(
            "team_links").order_by("rule__name", "number")
        specs, warnings = [rule_spec_of(v) for v in stored], [[] for _ in stored]
        for index, data in enumerate(payload.validated_data["rules"]):
            try:
                warnings.append(validate_version(data, tenant_id=self.actor.tenant.pk))
            except ValidationError as exc:
                raise ValidationError({f"rules.{index}": exc.detail}) from None
            specs.append(rule_spec(data, rule_name=f"(inline {index + 1})", team_ids={t.pk for t in data["teams"]},
                                   scheme_id=data["scheme"].pk if data["scheme"] else None))
        if not specs:
            raise ValidationError({"rule_versions": [_("Give stored rule_versions or inline rules.")]})
        period = self.parent
        results = services.rewards_simulate(period=period, rules=specs)
        body = {
            "period": period.pk, "revision": period.current_revision.number if period.current_revision_id else None,
            "currency": period.tenant.currency,
            "total_amount": sum((r.total_amount for r in results), Decimal(0)),
            "rules": [{"rule_version": r.rule.id, "rule": r.rule.rule_name, "kind": r.rule.kind, "warnings": w,
                       "award_count": len(r.awards), "total_amount": r.total_amount,
                       "awards": [vars(a) | {"agent": a.agent_id, "team": a.team_id} for a in r.awards],
                       "outcomes": [vars(o) | {"agent": o.agent_id, "team": o.team_id} for o in r.outcomes]}
                      for r, w in zip(results, warnings, strict=False)],
            "teams": [{"team": team, "total_amount": total}
                      for team, total in sorted(totals_per_team(results).items(), key=lambda t: (t[0] is None,
                                                                                                  t[0] or 0))],
        }
        return Response(serializers.SimulateRewardsSerializer(body).data)


TEAM_PARAMETER = OpenApiParameter("team", OpenApiTypes.INT, description="Rank within this team (default: tenant).")


@extend_schema(parameters=[_path_int("period_pk", "The period's id.")])
class LeaderboardViewSet(_ChildOfMixin, TenantScopedViewSet):
    queryset = KpiPeriod.objects.select_related("tenant", "current_revision")
    serializer_class = serializers.LeaderboardRowSerializer
    filter_backends: list = []
    parent_model, parent_kwarg, parent_field = KpiPeriod, "period_pk", "pk"
    action_roles = {"list": LEADERBOARD_READERS}
    query_params = {"list": frozenset({"team"})}

    @extend_schema(
        summary="The period's leaderboard: rank, agent, total, tiers and titles, movement since the previous period",
        description="Standard competition ranking (ties are ties) of the current results' totals with "
                    "adjustments, tenant-wide or within ?team=. Admins and QA leads see every row, supervisors the "
                    "agents of their granted teams, agents every row or (tenant setting leaderboard_visibility = "
                    "own_position) their own row with up to two anonymized neighbours each side.",
        parameters=[TEAM_PARAMETER])
    def list(self, request, tenant_slug, period_pk):
        team_id = request.query_params.get("team")
        if team_id is not None:
            if not team_id.isdigit() or not Team.objects.for_actor(self.actor, "view").filter(pk=team_id).exists():
                raise ValidationError({"team": [_("Select a valid choice. That choice is not one of the available "
                                                  "choices.")]})
            team_id = int(team_id)
        page = self.paginate_queryset(leaderboard(period=self.parent, fetched_by=self.actor, team_id=team_id))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
