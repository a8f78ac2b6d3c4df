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
  // The page's words (data-one, data-other, data-unknown) in its language and digits.
  var lang = document.documentElement.lang || 'en';
  function worded(body) {
    var rule;
    try {
      rule = new Intl.PluralRules(lang).select(body.count);
    } catch {
      rule = body.count === 1 ? 'one' : 'other';
    }
    var pattern = out.getAttribute('data-' + rule) || out.getAttribute('data-other');
    var count;
    try {
      count = new Intl.NumberFormat(lang === 'fa' ? 'fa-u-ca-gregory' : lang).format(body.count);
    } catch {
      count = String(body.count);
    }
    var text = pattern
      ? pattern.replace('{count}', count)
      : body.count + (body.count === 1 ? ' person' : ' people') + ' would be invited';
    if (body.unknownEmails && body.unknownEmails.length) {
      var unknown = out.getAttribute('data-unknown') || 'no employee with: {emails}';
      text += ' (' + unknown.replace('{emails}', body.unknownEmails.join(', ')) + ')';
    }
    return text;
  }
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
        out.textContent = worded(body);
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
