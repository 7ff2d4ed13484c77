"""GeoReport v2: each resource in the two formats of the specification, ``.json`` and
``.xml``; one URL name per format so every URL can be reversed without a format argument.
A service code or request id is any text, even with a slash: one that names nothing is the
specification's 404 in the format asked for, never the site's HTML page."""

from django.urls import path

from antq.tips.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.json", views.discovery, {"fmt": "json"}, name="discovery_json"),
    path("discovery.xml", views.discovery, {"fmt": "xml"}, name="discovery_xml"),
    path("services.json", views.service_list, {"fmt": "json"}, name="services_json"),
    path("services.xml", views.service_list, {"fmt": "xml"}, name="services_xml"),
    path(
        "services/<path:service_code>.json",
        views.service_definition,
        {"fmt": "json"},
        name="service_json",
    ),
    path(
        "services/<path:service_code>.xml",
        views.service_definition,
        {"fmt": "xml"},
        name="service_xml",
    ),
    path("requests.json", views.request_list, {"fmt": "json"}, name="requests_json"),
    path("requests.xml", views.request_list, {"fmt": "xml"}, name="requests_xml"),
    path(
        "requests/<path:service_request_id>.json",
        views.request_detail,
        {"fmt": "json"},
        name="request_json",
    ),
    path(
        "requests/<path:service_request_id>.xml",
        views.request_detail,
        {"fmt": "xml"},
        name="request_xml",
    ),
]
