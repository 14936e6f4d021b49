"""Background work for the CASE import wizard: fetch and check a package while the admin sees a progress page.

Tasks take the job's id and call the service, as every task here does.
"""

from django_tasks import task


@task()
def check_case_import(job_id: int) -> None:
    """Fetch (for an address) and dry-run a package; the preview page shows the report when it is done."""
    from trellis.frameworks.services import case_import_job_check

    case_import_job_check(job_id=job_id)
