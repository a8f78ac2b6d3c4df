// The live audience count of the campaign form: asks the server as the filters change. The
// form works without it (its "Count" button posts the form and shows the count).
(function () {
  'use strict';
  var form = document.getElementById('campaign-form');
  var out = document.getElementById('audience-count');
  if (!form || !out || typeof window.fetch !== 'function') return;
  var names = [
    'subject',
    'departments',
    'locations',
    'audienceTeams',
    'tenureBands',
    'include',
    'exclude',
  ];
  var timer = null;
  var seq = 0;
  function query() {
    var params = new window.URLSearchParams();
    var data = new window.FormData(form);
    names.forEach(function (name) {
      data.getAll(name).forEach(function (value) {
        params.append(name, value);
      });
    });
    return params.toString();
  }
  function update() {
    var mine = ++seq;
    window
      .fetch('/campaigns/audience-count?' + query(), {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (body) {
        if (!body || mine !== seq) return;
        // The server words the count in the page's language.
        var text = body.text;
        if (typeof text !== 'string') {
          text = body.count + (body.count === 1 ? ' person' : ' people') + ' would be invited';
          if (body.unknownEmails && body.unknownEmails.length)
            text += ' (no employee with: ' + body.unknownEmails.join(', ') + ')';
        }
        out.textContent = text;
      })
      .catch(function () {});
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 250);
  }
  form.addEventListener('change', later);
  form.addEventListener('input', later);
  update();
})();
