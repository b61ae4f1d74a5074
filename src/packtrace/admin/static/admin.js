/* PackTrace admin: the little the pages need beyond htmx. No inline handlers: the CSP forbids them. */
"use strict";

// Ask before a form marked data-confirm is sent (deleting, cancelling, disabling).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// The copy button beside a secret shown once.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  var field = document.getElementById(button.getAttribute("data-copy"));
  field.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value);
  }
  button.textContent = "Copied";
});
