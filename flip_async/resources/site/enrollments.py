"""A site's enrollments in programs (Mobile App API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from flip_async import models
from flip_async._operations import Auth, Send, operation
from flip_async._params import uuid_text
from flip_async._resource import SiteResource
from flip_async._validation import validated


class Enrollments(SiteResource):
    """`flip.site(site_id).enrollments`."""

    @operation("create_enrollment", "POST", "/v1/site/{siteId}/enrollments", auth=Auth.SITE)
    async def create(
        self, send: Send[Enrollments], request: models.EnrollmentCreateIn | Mapping[str, Any]
    ) -> models.Enrollment:
        """Enroll some of the site's devices in a program; the new enrollment starts PENDING."""
        return await send(models.Enrollment, body=validated(request, models.EnrollmentCreateIn))

    @operation("list_enrollments", "GET", "/v1/site/{siteId}/enrollments", auth=Auth.SITE)
    async def list(self, send: Send[Enrollments]) -> list[models.Enrollment]:
        return await send(list[models.Enrollment])

    @operation("get_enrollment", "GET", "/v1/site/{siteId}/enrollment/{enrollmentId}", auth=Auth.SITE)
    async def get(self, send: Send[Enrollments], enrollment_id: UUID | str) -> models.Enrollment:
        return await send(models.Enrollment, path={"enrollmentId": uuid_text(enrollment_id, "enrollment_id")})

    @operation("delete_enrollment", "DELETE", "/v1/site/{siteId}/enrollment/{enrollmentId}", auth=Auth.SITE)
    async def delete(self, send: Send[Enrollments], enrollment_id: UUID | str) -> None:
        """Unenroll (how a user leaves a program)."""
        return await send(type(None), path={"enrollmentId": uuid_text(enrollment_id, "enrollment_id")})
