"""The base of every resource (a named group of operations), and the attribute that puts one on a client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, Self, TypeVar, overload

from flip_async._base_client import Call, Parsed
from flip_async._operations import Sender

R = TypeVar("R", bound="Resource")


class Resource:
    """Operations of one kind (sites, devices, ...); sending is its sender's business (token, site id, transport)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._sender!r})"

    async def _send(self, call: Call) -> Parsed[Any]:
        return await self._sender._send(call)


class SiteSender(Sender, Protocol):
    """A sender scoped to one site: it adds the site id (and the site token) to every call."""

    site_id: str


class SiteResource(Resource):
    """Operations of one kind on one site (Mobile App API)."""

    def __init__(self, sender: SiteSender) -> None:
        super().__init__(sender)
        self.site_id = sender.site_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(site_id={self.site_id!r})"


class resource(Generic[R]):  # lower case, like the property it behaves as
    """A client attribute holding one resource: made from the client on first access, then kept on the instance."""

    def __init__(self, cls: Callable[[Any], R]) -> None:
        self.cls = cls
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type) -> R: ...
    def __get__(self, instance: object | None, owner: type) -> Self | R:
        if instance is None:
            return self
        made = self.cls(instance)
        # This descriptor defines no __set__, so the instance's own attribute is what every later access finds.
        vars(instance)[self._name] = made
        return made
