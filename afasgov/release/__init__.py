"""The pre-release check on accept (``afasgov release-check``): its assembly and the release report as data.

Public API:

* :func:`afasgov.release.check.release_check` (``afasgov release-check``): snapshot, diff, validate
  recorded payloads, audit, apply waivers, write reports → :class:`~afasgov.release.check.CheckOutcome`;
* :class:`afasgov.release.model.ReleaseReport` and its renderers in :mod:`afasgov.report.release`
  (HTML, Markdown, JSON; JUnit and SARIF via :mod:`afasgov.report`);
* :func:`afasgov.report.publish.write_reports` / :func:`~afasgov.report.publish.rebuild_index`
  (``reports/<ts>-<kind>-<scope>.<ext>`` and ``reports/index.html``);
* ``afasgov init`` is :func:`afasgov.config.scaffold.scaffold`; ``afasgov demo`` is
  :func:`afasgov.demo.run.run`.

See ``docs/reports.md`` and ``docs/release-week.md``.
"""
