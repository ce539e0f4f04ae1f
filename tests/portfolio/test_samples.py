"""The real samples in ../shared/samples import to exact, documented results."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning_core.domain import Application, Dependency
from planning_core.portfolio.importers import ImportProblem, detect_format, preview_import

# The samples live beside the repository (../shared/samples), not in it: they are third-party files.
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"the shared samples are not at {SAMPLES}")


def test_konveyor_sample() -> None:
    preview = preview_import(SAMPLES / "konveyor_application_import.csv")
    owner = "John Doe <jdoe@example.com>"
    both = "John Doe <jdoe@example.com>, Jane Smith <jsmith@example.com>"
    assert preview.format == "konveyor"
    assert preview.portfolio.applications == [
        Application(
            application_id="customers",
            name="Customers",
            business_unit="Retail",
            description="Legacy Customers management service",
            required_skills=["oracle", "java", "tomcat"],
            attributes={
                "Owner": owner,
                "Binary Group": "corp.acme.demo",
                "Binary Artifact": "customers-tomcat",
                "Binary Version": "0.0.1-SNAPSHOT",
                "Binary Packaging": "war",
                "Repository Type": "git",
                "Repository URL": "https://git-acme.local/customers.git",
                "Operating System": "RHEL 8",
                "Database": "Oracle",
                "Language": "Java",
                "Runtime": "Tomcat",
            },
        ),
        Application(
            application_id="inventory",
            name="Inventory",
            business_unit="Retail",
            description="Inventory service",
            required_skills=["postgresql", "java", "quarkus"],
            attributes={
                "Contributors": both,
                "Binary Group": "corp.acme.demo",
                "Binary Artifact": "inventory",
                "Binary Version": "0.1.1-SNAPSHOT",
                "Binary Packaging": "war",
                "Repository Type": "git",
                "Repository URL": "https://git-acme.local/inventory.git",
                "Operating System": "RHEL 8",
                "Database": "Postgresql",
                "Language": "Java",
                "Runtime": "Quarkus",
            },
        ),
        Application(
            application_id="gateway",
            name="Gateway",
            business_unit="Retail",
            description="API Gateway",
            required_skills=["java", "spring boot"],
            attributes={
                "Owner": owner,
                "Contributors": both,
                "Binary Group": "corp.acme.demo",
                "Binary Artifact": "gateway",
                "Binary Version": "0.1.1-SNAPSHOT",
                "Binary Packaging": "war",
                "Repository Type": "git",
                "Repository URL": "https://git-acme.local/gateway.git",
                "Operating System": "RHEL 8",
                "Language": "Java",
                "Runtime": "Spring Boot",
            },
        ),
    ]
    # Gateway southbound Inventory: Gateway calls Inventory, so Inventory moves no later than Gateway.
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="inventory", target_application_id="gateway"),
        Dependency(source_application_id="customers", target_application_id="gateway"),
    ]
    assert preview.problems == [
        ImportProblem(
            column="Tag Category (Migration Strategy)",
            message="3 application(s) have no migration strategy (blank or TBC): Customers, Inventory, Gateway",
            action="defaulted to rehost; set the strategy in the portfolio before planning",
            severity="warning",
        )
    ]
    assert preview.stats == {
        "applications": 3,
        "dependencies": 2,
        "precedes": 2,
        "move_together": 0,
        "cycles": 0,
        "errors": 0,
        "warnings": 1,
        "application_rows": 3,
        "dependency_rows": 2,
    }


def test_azure_sample() -> None:
    preview = preview_import(SAMPLES / "azure_migrate_dependency_export.csv")

    def app(app_id: str, name: str, servers: str, count: int = 1) -> Application:
        return Application(
            application_id=app_id,
            name=name,
            server_count=count,
            attributes={"servers": servers, "dependency_only": "true"},
        )

    assert preview.format == "azure_migrate"
    assert preview.portfolio.applications == [
        app("api", "API", "api1-server, api2-server", 2),
        app("app1", "App1", "app1-server"),
        app("app2", "App2", "app2-server"),
        app("sql", "SQL", "db1-server"),
        app("webapp1", "WebApp1", "web1-server, web2-server", 2),
    ]
    # the callee (server side) precedes the caller; the RDP row from admin-server is dropped
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="app2", target_application_id="app1"),
        Dependency(source_application_id="sql", target_application_id="app1"),
        Dependency(source_application_id="api", target_application_id="webapp1", weight=2),
    ]
    assert [p.message for p in preview.problems] == [
        "1 connection(s) on administrative ports (port 3389: 1)",
        "5 application(s) are known only from traffic: strategy, criticality and effort take defaults",
    ]
    assert preview.servers == {
        "api1-server": "api",
        "api2-server": "api",
        "app1-server": "app1",
        "app2-server": "app2",
        "db1-server": "sql",
        "web1-server": "webapp1",
        "web2-server": "webapp1",
    }


def test_samples_are_detected() -> None:
    assert [
        detect_format(SAMPLES / n)
        for n in ("konveyor_application_import.csv", "azure_migrate_dependency_export.csv")
    ] == ["konveyor", "azure_migrate"]
