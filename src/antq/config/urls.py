from django.urls import include, path
from django.views.i18n import set_language

from antq.api.urls import api

urlpatterns = [
    path("", include("antq.core.urls")),
    path("tai-khoan/", include("antq.accounts.urls")),
    path("", include("antq.registry.urls")),
    # Public pages of the hotline (no account): /gui-tin-bao/, /tra-cuu/, /canh-bao/.
    path("", include("antq.tips.urls_public")),
    path("tin-bao/canh-bao/", include("antq.tips.urls_bulletins")),
    path("tin-bao/doi-tac/", include("antq.tips.urls_partners")),
    path("tin-bao/", include("antq.tips.urls_manage")),
    path("tin-bao/", include("antq.tips.urls")),
    path("khieu-nai-to-cao/", include("antq.cases.urls")),
    path("webhooks/", include("antq.tips.urls_channels")),
    path("open311/v2/", include("antq.tips.open311.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

handler400 = "antq.core.views.bad_request"
handler403 = "antq.core.views.permission_denied"
handler404 = "antq.core.views.page_not_found"
handler500 = "antq.core.views.server_error"
