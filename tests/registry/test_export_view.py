"""The "Xuất Excel" button of the unit list: exactly the visible, filtered units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from antq.core.models import Job
from antq.registry.importing import import_batch_confirm, import_batch_create
from antq.registry.models import ImportBatch, Unit
from antq.registry.status import UnitKind
from tests.factories import make_unit
from tests.registry.test_importing import read_sheet


def export(client: Any, **params: Any) -> list[list[Any]]:
    response = client.get(reverse("registry:unit_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="don-vi-')
    return read_sheet(response.content)


def names(sheet: list[list[Any]]) -> list[str]:
    return [row[0] for row in sheet[1:]]


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("department", ["Bệnh viện Hữu Nghị Việt Đức", "Trường THPT Trần Phú"]),
        ("leader", ["Bệnh viện Hữu Nghị Việt Đức", "Trường THPT Trần Phú"]),
        ("ward_a_officer", ["Bệnh viện Hữu Nghị Việt Đức"]),
        ("ward_b_officer", ["Trường THPT Trần Phú"]),
        ("unit_x_officer", ["Bệnh viện Hữu Nghị Việt Đức"]),
        ("unit_y_officer", ["Trường THPT Trần Phú"]),
    ],
)
def test_the_export_contains_only_the_units_the_user_may_see(client, cast, role, visible) -> None:
    client.force_login(cast.by_name(role))
    assert names(export(client)) == visible


def test_a_ward_officer_cannot_export_another_ward_by_asking_for_it(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    assert names(export(client, ward=cast.ward_b.pk)) == ["Bệnh viện Hữu Nghị Việt Đức"]


def test_the_export_applies_the_filters_of_the_list(client, cast) -> None:
    make_unit(area=cast.ward_a, kind=UnitKind.PRESCHOOL, name="Trường Mầm non Hoa Sữa")
    make_unit(area=cast.ward_b, kind=UnitKind.HOSPITAL, name="Bệnh viện Phụ sản", status="closed")
    client.force_login(cast.department)
    assert names(export(client, block="giao_duc")) == [
        "Trường Mầm non Hoa Sữa",
        "Trường THPT Trần Phú",
    ]
    assert names(export(client, block="giao_duc", ward=cast.ward_a.pk)) == [
        "Trường Mầm non Hoa Sữa"
    ]
    assert names(export(client, q="benh vien", status="closed")) == ["Bệnh viện Phụ sản"]
    assert names(export(client, kind="benh_vien", status="active")) == [
        "Bệnh viện Hữu Nghị Việt Đức"
    ]


def test_the_export_neutralises_formulas(client, cast) -> None:
    make_unit(
        area=cast.ward_a,
        name='=HYPERLINK("http://evil.example","Bấm vào đây")',
        address="+1+cmd|' /C calc'!A0",
        notes="@SUM(1)",
    )
    client.force_login(cast.ward_a_officer)
    row = next(r for r in export(client)[1:] if "HYPERLINK" in r[0])
    assert row[0] == '\'=HYPERLINK("http://evil.example","Bấm vào đây")'
    assert row[4] == "'+1+cmd|' /C calc'!A0"
    assert row[13] == "'@SUM(1)"


def test_an_export_imports_back_through_the_pages(client, cast) -> None:
    make_unit(
        area=cast.ward_a,
        kind=UnitKind.PRIVATE_ENTERPRISE,
        name="Công ty TNHH Sách Tràng Tiền",
        code="0105556667",
        phone="+84912000111",
    )
    client.force_login(cast.department)
    response = client.get(reverse("registry:unit_export"), {"q": "sach trang tien"})
    Unit.objects.filter(code="0105556667").delete()
    upload = client.post(
        reverse("registry:import_upload"),
        {"file": SimpleUploadedFile("xuat.xlsx", response.content)},
    )
    assert upload.status_code == 302
    batch = ImportBatch.objects.get()
    assert upload["Location"] == reverse("registry:import_preview", args=[batch.pk])
    client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "all"})
    unit = Unit.objects.get(code="0105556667")
    assert (unit.name, unit.ward, unit.kind, unit.phone) == (
        "Công ty TNHH Sách Tràng Tiền",
        cast.ward_a,
        "dn_ngoai_nha_nuoc",
        "+84912000111",
    )


def test_a_large_export_is_written_by_the_worker(
    client, cast, settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    settings.BACKGROUND_THRESHOLD_ROWS = 2
    settings.VAR_DIR = tmp_path
    for n in range(3):
        make_unit(area=cast.ward_a, name=f"Đơn vị phường A số {n}")
    make_unit(area=cast.ward_b, name="Đơn vị phường B")
    client.force_login(cast.ward_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("registry:unit_export"))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job", args=[job.pk])
    assert (job.kind, job.owner, job.status, job.total) == (
        "units_export",
        cast.ward_a_officer,
        "done",
        4,
    )
    assert job.message == "Đã xuất 4 đơn vị."
    assert job.result_name.startswith("don-vi-") and job.result_name.endswith(".xlsx")
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = read_sheet(b"".join(download.streaming_content))
    assert names(sheet) == [
        "Bệnh viện Hữu Nghị Việt Đức",
        "Đơn vị phường A số 0",
        "Đơn vị phường A số 1",
        "Đơn vị phường A số 2",
    ]
    # The file is the owner's alone.
    client.force_login(cast.ward_b_officer)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_large_export_keeps_the_filters(
    client, cast, settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    settings.BACKGROUND_THRESHOLD_ROWS = 1
    settings.VAR_DIR = tmp_path
    for n in range(2):
        make_unit(area=cast.ward_b, kind=UnitKind.PRESCHOOL, name=f"Trường Mầm non số {n}")
    client.force_login(cast.department)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("registry:unit_export"), {"kind": "mam_non"})
    job = Job.objects.get()
    assert job.params == {
        "filters": {"q": "", "block": "", "kind": "mam_non", "ward": None, "status": ""}
    }
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert names(read_sheet(b"".join(download.streaming_content))) == [
        "Trường Mầm non số 0",
        "Trường Mầm non số 1",
    ]


def test_an_export_imported_again_over_the_same_units_is_refused_unit_by_unit(client, cast) -> None:
    Unit.objects.filter(pk=cast.unit_x.pk).update(code="0100100100")
    client.force_login(cast.department)
    response = client.get(reverse("registry:unit_export"))
    batch = import_batch_create(
        owner=cast.department, upload=SimpleUploadedFile("lai.xlsx", response.content)
    ).batch
    assert {row.line: row.errors for row in batch.rows.order_by("line")} == {
        # By its tax code...
        2: [
            "Mã số thuế / mã đơn vị «0100100100» đã có trong danh sách "
            "(đơn vị «Bệnh viện Hữu Nghị Việt Đức»)."
        ],
        # ... and, without one, by its name in its ward.
        3: ["Đơn vị «Trường THPT Trần Phú» ở Phường Cửa Nam đã có trong danh sách."],
    }
    assert import_batch_confirm(batch=batch, actor=cast.department, only_valid=False).status == (
        "empty"
    )
