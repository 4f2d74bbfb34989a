"""An import's job page in the browser, for HR: while it runs (progress),
when done (what it did, links to what it made), and when the worker refused
the file (each error, nothing changed, a way back to the upload). Accessible
at both widths, as every page (but see the running page's note)."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from competency.models import BackgroundJob


def an_import(**fields):
    return BackgroundJob.objects.create(
        kind=BackgroundJob.Kind.IMPORT_FRAMEWORK,
        title="Importing ddat-roles.csv",
        started_by=get_user_model().objects.get(username="hr"),
        params={"back": "/import/framework/"},
        **fields,
    )


def test_an_import_jobs_page_while_running_done_and_refused(journey):
    page = journey.page
    running = an_import(state="running", done=1200, total=4800)
    done = an_import(
        state="done",
        result={
            "message": "Framework imported from ddat-roles.csv.",
            "lines": ["Framework DDaT: 3 skills added, 1 changed", "Profiles: 2 added"],
            "heading": "Draft profiles it created or changed",
            "links": [
                {"url": "/profiles/", "text": "Data engineer"},
                {"url": "/profiles/", "text": "Lead data engineer"},
            ],
            "url": "/catalogue/",
            "link_text": "Go to the catalogue",
        },
    )
    refused = an_import(
        state="failed",
        error="Row 2, column D (manager): no person with employee id M1 in the file or here\n"
        "Row 3, column D (manager): no person with employee id M1 in the file or here",
    )
    journey.sign_in("hr", check=False)

    journey.goto(f"/jobs/{running.pk}/")
    expect(page.get_by_role("status")).to_contain_text("1200 of 4800 done (25%)")
    journey.check("import-job-running")
    # The page reads itself again and updates the status in place, then
    # offers the result; it never reloads on its own.
    BackgroundJob.objects.filter(pk=running.pk).update(done=2400)
    expect(page.get_by_role("status")).to_contain_text("2400 of 4800 done (50%)")
    BackgroundJob.objects.filter(pk=running.pk).update(state="done", result={"message": "Done."})
    expect(page.get_by_role("status")).to_have_text("Finished.")
    page.get_by_role("link", name="See the result").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()

    journey.goto(f"/jobs/{done.pk}/")
    expect(page.get_by_role("link", name="Lead data engineer")).to_be_visible()
    journey.check("import-job-done")

    journey.goto(f"/jobs/{refused.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Row 3, column D")
    expect(page.get_by_role("link", name="Upload a file again")).to_be_visible()
    journey.check("import-job-refused")
    journey.assert_accessible()
