// Draws "What drives the score" on a team page: the questions ranked by how closely their
// favourable answers go with the iNPS category (horizontal bars, strongest first), "focus here"
// in its own colour.
// The numbers come from the JSON block the server rendered; they already passed the driver rules.
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') return;
  var node = document.getElementById('drivers-data');
  var canvas = document.getElementById('drivers-chart');
  var box = document.getElementById('drivers-box');
  if (!node || !canvas || !box) return;
  var chart = JSON.parse(node.textContent);
  if (!chart || !chart.values || chart.values.length === 0) return;
  var root = document.documentElement;
  var rtl = root.dir === 'rtl';
  var format = new Intl.NumberFormat(root.lang || undefined, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  var focusLabel = canvas.getAttribute('data-focus') || '';
  // Room for every bar, however many questions: about 2.5rem a bar.
  box.style.height = Math.max(8, 3 + chart.values.length * 2.5) + 'rem';

  var colours = chart.focus.map(function (focus, i) {
    if (focus) return '#c2255c';
    return chart.values[i] < 0 ? '#868e96' : '#3b5bdb';
  });
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: chart.labels.map(function (label, i) {
        return chart.focus[i] ? label + ' — ' + focusLabel : label;
      }),
      datasets: [
        {
          label: canvas.getAttribute('data-axis') || '',
          data: chart.values,
          backgroundColor: colours,
          borderColor: colours,
          borderWidth: 1,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          rtl: rtl,
          callbacks: {
            label: function (item) {
              return format.format(item.parsed.x);
            },
          },
        },
      },
      scales: {
        // Right-to-left pages mirror the chart: bars grow leftwards, labels on the right.
        x: {
          reverse: rtl,
          min: Math.min(0, Math.floor(Math.min.apply(null, chart.values) * 10) / 10),
          max: 1,
          title: { display: true, text: canvas.getAttribute('data-axis') || '' },
          ticks: {
            callback: function (value) {
              return format.format(value);
            },
          },
        },
        y: {
          position: rtl ? 'right' : 'left',
          ticks: {
            autoSkip: false,
            callback: function (value) {
              var label = this.getLabelForValue(value);
              return label.length > 48 ? label.slice(0, 47) + '…' : label;
            },
          },
        },
      },
    },
  });
})();
