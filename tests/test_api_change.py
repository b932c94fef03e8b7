"""The README's "When Flip changes its API", rehearsed: one operation added to a copy of the spec, regenerated."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import aiohttp
import yaml
from support import add_site, operations_without_a_method

from flip_async.sandbox import Sandbox, unimplemented

ROOT = Path(__file__).resolve().parent.parent
TARIFFS = {
    "get": {
        "operationId": "list_site_tariffs",
        "summary": "Read Tariffs",
        "security": [{"SiteToken": []}],
        "parameters": [{"$ref": "#/components/parameters/SiteId"}],
        "responses": {
            "200": {
                "description": "The site's tariffs.",
                "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
            },
            "401": {"$ref": "#/components/responses/Unauthorized"},
        },
    }
}


def _regenerated(tmp_path: Path) -> ModuleType:
    """The operation table generated from a copy of the spec with Read Tariffs added, loaded as a module."""
    spec = yaml.safe_load((ROOT / "openapi" / "flip.yaml").read_text())
    spec["paths"]["/v1/site/{siteId}/tariffs"] = TARIFFS
    copy = tmp_path / "flip.yaml"
    copy.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "generated"
    subprocess.run(
        [sys.executable, "codegen/generate.py", "--spec", str(copy), "--output-dir", str(out)], cwd=ROOT, check=True
    )
    loaded = importlib.util.spec_from_file_location("regenerated_spec", out / "_spec.py")
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


async def test_a_new_operation_is_in_the_table_named_as_missing_and_answered_501(tmp_path: Path) -> None:
    table = _regenerated(tmp_path)
    tariffs = table.OPERATIONS["list_site_tariffs"]
    assert (tariffs.method, tariffs.path, tariffs.auth.value) == ("GET", "/v1/site/{siteId}/tariffs", "SiteToken")
    assert tariffs.success_type(200) == list[dict[str, object]]
    # What `make test` then says: one method to write, one sandbox handler to write, each naming the operation.
    assert operations_without_a_method(table.OPERATIONS) == ["list_site_tariffs"]
    assert unimplemented(table.OPERATIONS) == ["list_site_tariffs"]
    async with Sandbox(operations=table.OPERATIONS) as sandbox, aiohttp.ClientSession() as http:
        add_site(sandbox, "abc-789")
        headers = {"Authorization": f"Bearer {sandbox.site_token('abc-789')}"}
        async with http.get(f"{sandbox.base_url}/v1/site/abc-789/tariffs", headers=headers) as response:
            assert response.status == 501
            assert "list_site_tariffs" in await response.text()
        async with http.get(f"{sandbox.base_url}/v1/site/abc-789", headers=headers) as response:
            assert response.status == 200  # the operations that have handlers are served as before
