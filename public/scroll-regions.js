// A box that scrolls sideways (a wide table on a phone, a heatmap) can be scrolled with the
// keyboard: while it has more to show and nothing focusable inside, it takes a place in the Tab
// order (tabindex="0"), where the arrow keys scroll it (WCAG 2.1.1). Checked when the page loads
// and again when the window's width changes (a phone turned sideways). Loaded with `defer` from
// the layout (script-src 'self').
(function () {
  'use strict';
  var MARK = 'data-scroll-region';
  var FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';
  function scrollsSideways(el) {
    var overflow = window.getComputedStyle(el).overflowX;
    return (overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1;
  }
  function update() {
    var all = document.querySelectorAll('main *');
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var mine = el.hasAttribute(MARK);
      if (scrollsSideways(el)) {
        if (!mine && !el.hasAttribute('tabindex') && !el.querySelector(FOCUSABLE)) {
          el.setAttribute('tabindex', '0');
          el.setAttribute(MARK, '');
        }
      } else if (mine) {
        el.removeAttribute('tabindex');
        el.removeAttribute(MARK);
      }
    }
  }
  var width = window.innerWidth;
  var pending = false;
  window.addEventListener('resize', function () {
    if (pending || window.innerWidth === width) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      width = window.innerWidth;
      update();
    });
  });
  update();
})();
