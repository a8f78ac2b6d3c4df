// The campaign report's chart: participation rate and scores per wave, from the JSON block the
// server rendered (numbers already under the campaign's threshold; withheld ones are null).
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') return;
  var node = document.getElementById('campaign-data');
  var canvas = document.getElementById('campaign-chart');
  if (!node || !canvas) return;
  var data = JSON.parse(node.textContent);
  // The words come with the data, in the page's language; the numbers in its digits.
  var words = data.text || {};
  var format = new Intl.NumberFormat(data.locale || undefined, { maximumFractionDigits: 1 });
  var tick = function (value) {
    return format.format(value);
  };
  var colours = [
    '#3b5bdb',
    '#2b8a3e',
    '#f59f00',
    '#c92a2a',
    '#862e9c',
    '#1098ad',
    '#5c940d',
    '#e8590c',
  ];
  var datasets = [
    {
      label: words.participation || 'participation %',
      data: data.rate,
      borderColor: '#868e96',
      borderDash: [4, 4],
      yAxisID: 'rate',
    },
  ];
  if (
    data.enps.some(function (v) {
      return v !== null;
    })
  )
    datasets.push({
      label: words.enps || 'eNPS',
      data: data.enps,
      borderColor: '#3b5bdb',
      yAxisID: 'score',
    });
  data.teams.forEach(function (team, i) {
    datasets.push({
      label: team.label,
      data: team.data,
      borderColor: colours[i % colours.length],
      yAxisID: 'score',
    });
  });
  new window.Chart(canvas, {
    type: 'line',
    data: { labels: data.labels, datasets: datasets },
    options: {
      locale: data.locale,
      animation: false,
      maintainAspectRatio: false,
      spanGaps: false,
      scales: {
        score: {
          position: 'left',
          min: -100,
          max: 100,
          ticks: { callback: tick },
          title: { display: true, text: words.score || 'NPS' },
        },
        rate: {
          position: 'right',
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          ticks: { callback: tick },
          title: { display: true, text: words.rate || '%' },
        },
        x: { reverse: document.documentElement.dir === 'rtl' },
      },
    },
  });
})();
