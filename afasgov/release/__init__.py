"""The pre-release check on accept, its audit-grade reports, ``afasgov init`` and ``afasgov demo``.

Public API:

* :func:`afasgov.release.check.release_check` (``afasgov release-check``): snapshot, diff, validate
  recorded payloads, audit, apply waivers, write reports → :class:`~afasgov.release.check.CheckOutcome`;
* :class:`afasgov.release.model.ReleaseReport` and its renderers in :mod:`afasgov.release.render`
  (HTML, Markdown, JSON; JUnit and SARIF via :mod:`afasgov.report`);
* :func:`afasgov.release.publish.write_reports` / :func:`~afasgov.release.publish.rebuild_index`
  (``reports/<ts>-<kind>-<scope>.<ext>`` and ``reports/index.html``);
* :func:`afasgov.release.init.scaffold` (``afasgov init``);
* :func:`afasgov.demo.run.run` (``afasgov demo``).

See ``docs/reports.md`` and ``docs/release-week.md``.
"""
