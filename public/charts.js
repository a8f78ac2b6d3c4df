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

  // Numbers in the page's language (Persian digits in fa), as the server formats them.
  function formatter(locale) {
    var format = new Intl.NumberFormat(locale || undefined, { maximumFractionDigits: 1 });
    return function (value) {
      return value === null || value === undefined ? '' : format.format(value);
    };
  }

  var trend = data('trend-data');
  var trendCanvas = document.getElementById('trend-chart');
  if (trend && trendCanvas) {
    var rtlTrend = trend.dir ? trend.dir === 'rtl' : rtl;
    var num = formatter(trend.locale);
    var text = trend.text || {};
    var datasets = [
      {
        // The 95% interval as a band: the high edge, filled down to the low one.
        label: text.band || '95%',
        data: trend.high,
        borderWidth: 0,
        pointRadius: 0,
        fill: '+1',
        backgroundColor: 'rgba(59,91,219,0.18)',
        spanGaps: false,
        band: true,
      },
      {
        label: text.band || '95%',
        data: trend.low,
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        spanGaps: false,
        band: true,
        hidden: false,
      },
      {
        label: text.inps || 'iNPS',
        data: trend.nps,
        borderColor: '#364fc7',
        backgroundColor: '#364fc7',
        spanGaps: false,
      },
    ];
    if (trend.target !== null && trend.target !== undefined) {
      // Today's target, drawn across the whole range as a horizontal line.
      datasets.push({
        label: (text.target || 'target') + ' (' + num(trend.target) + ')',
        data: trend.labels.map(function () {
          return trend.target;
        }),
        borderColor: '#2b8a3e',
        borderDash: [6, 4],
        backgroundColor: 'transparent',
        pointRadius: 0,
        fill: false,
        target: true,
      });
    }
    new Chart(trendCanvas, {
      type: 'line',
      data: { labels: trend.labels, datasets: datasets },
      plugins: [actionMarkers(trend.markers || [])],
      options: {
        animation: false,
        maintainAspectRatio: false,
        locale: trend.locale,
        scales: {
          y: {
            min: -100,
            max: 100,
            position: rtlTrend ? 'right' : 'left',
            ticks: { stepSize: 25, callback: num },
          },
          x: { reverse: rtlTrend, ticks: { maxRotation: 0, autoSkip: true } },
        },
        plugins: {
          legend: {
            rtl: rtlTrend,
            textDirection: rtlTrend ? 'rtl' : 'ltr',
            labels: {
              // One entry for the band (its low edge is the same band).
              filter: function (item, chartData) {
                var set = chartData.datasets[item.datasetIndex];
                return !(set.band && item.datasetIndex === 1);
              },
            },
          },
          tooltip: {
            rtl: rtlTrend,
            textDirection: rtlTrend ? 'rtl' : 'ltr',
            filter: function (item) {
              return !item.dataset.band;
            },
            callbacks: {
              label: function (item) {
                var i = item.dataIndex;
                if (item.dataset.target) return item.dataset.label;
                var line = item.dataset.label + ': ' + num(item.parsed.y);
                if (trend.low[i] !== null && trend.high[i] !== null)
                  line +=
                    ' (' +
                    (text.band || '95%') +
                    ': ' +
                    num(trend.low[i]) +
                    ' … ' +
                    num(trend.high[i]) +
                    ')';
                if (trend.n && trend.n[i] !== null)
                  line += ', ' + (text.responses || 'n') + ': ' + num(trend.n[i]);
                return line;
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
    var rtlDistribution = distribution.dir ? distribution.dir === 'rtl' : rtl;
    var scores = distribution.scores || distribution;
    var words = distribution.text || {};
    var count = formatter(distribution.locale);
    var colours = { detractor: '#c92a2a', passive: '#e67700', promoter: '#2b8a3e' };
    new Chart(distributionCanvas, {
      type: 'bar',
      data: {
        labels: scores.map(function (d) {
          return d.label || String(d.score);
        }),
        datasets: [
          {
            label: words.responses || 'responses',
            data: scores.map(function (d) {
              return d.n;
            }),
            backgroundColor: scores.map(function (d) {
              return colours[d.group];
            }),
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        locale: distribution.locale,
        plugins: {
          legend: { display: false },
          tooltip: { rtl: rtlDistribution, textDirection: rtlDistribution ? 'rtl' : 'ltr' },
        },
        scales: {
          x: { reverse: rtlDistribution, title: { display: true, text: words.score || 'score' } },
          y: {
            grace: '5%',
            position: rtlDistribution ? 'right' : 'left',
            ticks: { callback: count },
            title: { display: true, text: words.responses || 'responses' },
          },
        },
      },
    });
  }
})();

// Wide tables sit in a scroll container (.table-scroll): when one is wider than the screen, it
// says so (a shadow on the side that scrolls, and the hint before it), so nothing is hidden.
(function () {
  'use strict';
  function mark() {
    var boxes = document.querySelectorAll('.table-scroll');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      box.classList.toggle('is-scrollable', box.scrollWidth > box.clientWidth + 1);
    }
  }
  mark();
  window.addEventListener('resize', mark);
})();
