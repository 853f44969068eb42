from rest_framework.routers import DefaultRouter

from cobuilding.api import views

router = DefaultRouter()
router.register("units", views.ResidentUnitViewSet, basename="residentunit")
router.register("unit-reports", views.UnitReportViewSet, basename="unitreport")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("commitments", views.CommitmentItemViewSet, basename="commitment")
router.register("member-reports", views.MemberReportViewSet, basename="memberreport")
router.register("meetings", views.JointMeetingViewSet, basename="jointmeeting")
router.register("meeting-items", views.AgendaItemViewSet, basename="agendaitem")
router.register("whistles", views.WhistleViewSet, basename="whistle")
router.register("whistle-calls", views.WhistleCallViewSet, basename="whistlecall")
router.register("needs", views.CommunityNeedViewSet, basename="communityneed")
router.register("resources", views.UnitResourceViewSet, basename="unitresource")
router.register("evaluations", views.EvaluationRoundViewSet, basename="evaluationround")
router.register("evaluation-ratings", views.EvaluationRatingViewSet, basename="evaluationrating")
