from __future__ import annotations

import json

from analysis_fixtures import filesystem, node_app, record

from slimage.analysis.node_deps import dev_only_files, find_apps, package_directory


def test_lockfile_free_closure_matches_npm_omit_dev() -> None:
    files, contents, prod = node_app()
    [app] = find_apps(contents)
    assert app.directory == "app"
    assert len(app.packages) == 408
    # Exactly the packages `npm ci --omit=dev` installs.
    assert app.runtime == prod
    claimed = dev_only_files(app, files)
    # Every file not claimed belongs to a production package, or is npm's own bookkeeping.
    for path in files.keys() - claimed.keys():
        if path in {"app/package.json", "app/node_modules/.package-lock.json"}:
            continue
        assert any(path.startswith(k + "/") for k in prod), path
    kept_bytes = sum(r.size for p, r in files.items() if p not in claimed)
    assert sum(files[p].size for p in claimed) > 10 * kept_bytes  # eslint+jest dwarf express
    assert "app/node_modules/eslint/package.json" in claimed
    assert "app/node_modules/express/package.json" not in claimed


def test_no_dependency_fields_claims_nothing() -> None:
    manifest = {"name": "x"}
    contents = {
        "srv/package.json": json.dumps(manifest).encode(),
        "srv/node_modules/a/package.json": b'{"name": "a", "version": "1.0.0"}',
    }
    [app] = find_apps(contents)
    files = filesystem(record("srv/node_modules/a/index.js", 10))
    assert dev_only_files(app, files) == {}


def test_nested_copies_and_scoped_packages() -> None:
    contents = {
        "package.json": b'{"dependencies": {"@s/a": "1"}, "devDependencies": {"d": "1"}}',
        "node_modules/@s/a/package.json": b'{"name": "@s/a", "dependencies": {"b": "2"}}',
        "node_modules/@s/a/node_modules/b/package.json": b'{"name": "b", "version": "2.0.0"}',
        "node_modules/b/package.json": b'{"name": "b", "version": "1.0.0"}',
        "node_modules/d/package.json": b'{"name": "d", "dependencies": {"b": "1"}}',
    }
    [app] = find_apps(contents)
    assert app.directory == ""
    # @s/a resolves b to its nested copy; the top-level b@1 is needed only by d (dev).
    assert app.runtime == {"node_modules/@s/a", "node_modules/@s/a/node_modules/b"}
    files = filesystem(
        record("node_modules/@s/a/index.js", 1),
        record("node_modules/@s/a/node_modules/b/index.js", 2),
        record("node_modules/b/index.js", 4),
        record("node_modules/d/index.js", 8),
        record("node_modules/.cache/babel/x.json", 16),
    )
    claimed = dev_only_files(app, files)
    assert claimed == {
        "node_modules/b/index.js": "node_modules/b",
        "node_modules/d/index.js": "node_modules/d",
        "node_modules/.cache/babel/x.json": "node_modules/.cache",
    }


def test_package_directory() -> None:
    assert package_directory("app/node_modules/a/lib/x.js") == "app/node_modules/a"
    assert package_directory("node_modules/@s/a/x.js") == "node_modules/@s/a"
    assert (
        package_directory("a/node_modules/b/node_modules/c/x") == "a/node_modules/b/node_modules/c"
    )
    assert package_directory("app/node_modules/.package-lock.json") is None
    assert package_directory("app/server.js") is None
