// After a refused form, the error summary takes the focus: a screen reader reads what went wrong
// first, and a keyboard carries on from there (the summary's links lead to the fields). Every
// page shows a refused form's problems in one box above the form, `.form-errors` with
// role="alert"; it is made focusable by script only (tabindex="-1": never a Tab stop) and
// focused once, when the page loads. Loaded with `defer` from the layout (script-src 'self').
(function () {
  'use strict';
  var summary = document.querySelector('.form-errors[role="alert"]');
  if (!summary) return;
  if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
  summary.focus();
})();
