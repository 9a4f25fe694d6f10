/* After a form is sent, move the keyboard focus to what the answer says: the error summary
   when something must be corrected, else the confirmation (the flashed message). A screen
   reader then reads it at once, and a keyboard user goes on from there. Loaded from a file
   (the CSP allows no inline script); pages without either are left alone. */
(function () {
  "use strict";

  var TARGETS = [".app-error-summary", ".app-flash"];

  function focusAnswer() {
    for (var i = 0; i < TARGETS.length; i += 1) {
      var target = document.querySelector(TARGETS[i]);
      if (target) {
        if (!target.hasAttribute("tabindex")) {
          target.setAttribute("tabindex", "-1");
        }
        target.focus();
        return;
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusAnswer);
  } else {
    focusAnswer();
  }
})();
