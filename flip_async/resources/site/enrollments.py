"""A site's enrollments in programs (Mobile App API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack
from uuid import UUID

from flip_async import models
from flip_async._operations import CallOptions, Send, operation
from flip_async._params import uuid_text
from flip_async._raw import raw_response
from flip_async._resource import SiteResource
from flip_async._validation import validated


class Enrollments(SiteResource):
    """`flip.site(site_id).enrollments`."""

    @operation("create_enrollment")
    async def create(
        self,
        send: Send[models.Enrollment],
        request: models.EnrollmentCreateIn | Mapping[str, Any],
        **options: Unpack[CallOptions],
    ) -> models.Enrollment:
        """Enroll some of the site's devices in a program.

        Flip starts the new enrollment PENDING while it and the utility review it; it then becomes ACTIVE,
        NEEDS_ACTION (Flip emails the user about what it could not verify) or REJECTED (for good).
        """
        return await send(body=validated(request, models.EnrollmentCreateIn), **options)

    @operation("list_enrollments")
    async def list(
        self, send: Send[list[models.Enrollment]], **options: Unpack[CallOptions]
    ) -> list[models.Enrollment]:
        """The site's enrollments, whatever their status: none means the site is in no program yet."""
        return await send(**options)

    @operation("get_enrollment")
    async def get(
        self, send: Send[models.Enrollment], enrollment_id: UUID | str, **options: Unpack[CallOptions]
    ) -> models.Enrollment:
        """One of the site's enrollments, with its current status and Flip's reason for it."""
        return await send(path={"enrollmentId": uuid_text(enrollment_id, "enrollment_id")}, **options)

    @operation("delete_enrollment")
    async def delete(self, send: Send[None], enrollment_id: UUID | str, **options: Unpack[CallOptions]) -> None:
        """Unenroll: how a user leaves a program. Flip ends the enrollment; the answer has no body."""
        return await send(path={"enrollmentId": uuid_text(enrollment_id, "enrollment_id")}, **options)


class EnrollmentsWithRawResponse:
    """`site.with_raw_response.enrollments`: each method answering with its RawResponse."""

    def __init__(self, enrollments: Enrollments) -> None:
        self.create = raw_response(enrollments.create)
        self.list = raw_response(enrollments.list)
        self.get = raw_response(enrollments.get)
        self.delete = raw_response(enrollments.delete)
