// Draws the charts of a report page from the JSON blocks the server rendered next to each
// canvas. The numbers there already passed the reporting threshold; a withheld point is null.
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') return;
  var Chart = window.Chart;
  var rtl = document.documentElement.dir === 'rtl';

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Actions done in the chart's range: a dashed vertical line at the day each was done, with a
  // short label (x is the category index plus how far into that period the day falls).
  function actionMarkers(markers) {
    return {
      id: 'actionMarkers',
      afterDatasetsDraw: function (chart) {
        var x = chart.scales.x;
        var area = chart.chartArea;
        if (!x || !area || markers.length === 0) return;
        var ctx = chart.ctx;
        ctx.save();
        markers.forEach(function (marker, i) {
          var index = Math.floor(marker.x);
          var from = x.getPixelForValue(index);
          var to = x.getPixelForValue(Math.min(index + 1, chart.data.labels.length - 1));
          var step = index + 1 < chart.data.labels.length ? to - from : 0;
          var px = from + (marker.x - index) * step;
          ctx.strokeStyle = '#7048e8';
          ctx.lineWidth = 1.5;
          ctx.setLineDash([4, 3]);
          ctx.beginPath();
          ctx.moveTo(px, area.top);
          ctx.lineTo(px, area.bottom);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = '#5f3dc4';
          ctx.font = '11px sans-serif';
          // The label goes on the side of the line that has room for it.
          var text = '✓ ' + marker.label;
          var width = ctx.measureText(text).width;
          var before = rtl ? px - 4 - width >= area.left : px + 4 + width > area.right;
          ctx.textAlign = before ? 'right' : 'left';
          ctx.fillText(text, px + (before ? -4 : 4), area.top + 12 + (i % 3) * 13);
        });
        ctx.restore();
      },
    };
  }

  var trend = data('trend-data');
  var trendCanvas = document.getElementById('trend-chart');
  if (trend && trendCanvas) {
    var datasets = [
      {
        label: '95% high',
        data: trend.high,
        borderWidth: 0,
        pointRadius: 0,
        fill: '+1',
        backgroundColor: 'rgba(59,91,219,0.15)',
        spanGaps: false,
      },
      {
        label: '95% low',
        data: trend.low,
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        spanGaps: false,
      },
      {
        label: 'iNPS',
        data: trend.nps,
        borderColor: '#3b5bdb',
        backgroundColor: '#3b5bdb',
        spanGaps: false,
      },
    ];
    if (trend.target !== null && trend.target !== undefined) {
      datasets.push({
        label: 'target',
        data: trend.labels.map(function () {
          return trend.target;
        }),
        borderColor: '#2b8a3e',
        borderDash: [6, 4],
        backgroundColor: 'transparent',
        pointRadius: 0,
        fill: false,
      });
    }
    new Chart(trendCanvas, {
      type: 'line',
      data: { labels: trend.labels, datasets: datasets },
      plugins: [actionMarkers(trend.markers || [])],
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          y: { min: -100, max: 100, ticks: { stepSize: 25 } },
          x: { reverse: rtl, ticks: { maxRotation: 0, autoSkip: true } },
        },
        plugins: {
          legend: {
            labels: {
              filter: function (item) {
                return item.text.indexOf('95%') !== 0;
              },
            },
          },
        },
      },
    });
  }

  var distribution = data('distribution-data');
  var distributionCanvas = document.getElementById('distribution-chart');
  if (distribution && distributionCanvas) {
    var colours = { detractor: '#c92a2a', passive: '#f59f00', promoter: '#2b8a3e' };
    new Chart(distributionCanvas, {
      type: 'bar',
      data: {
        labels: distribution.map(function (d) {
          return String(d.score);
        }),
        datasets: [
          {
            label: 'responses',
            data: distribution.map(function (d) {
              return d.n;
            }),
            backgroundColor: distribution.map(function (d) {
              return colours[d.group];
            }),
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { reverse: rtl, title: { display: true, text: 'score' } },
          y: { grace: '5%', title: { display: true, text: 'responses' } },
        },
      },
    });
  }
})();
