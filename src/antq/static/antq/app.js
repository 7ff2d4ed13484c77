// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
  const confirmBtn = event.target.closest("[data-confirm]");
  if (confirmBtn && !window.confirm(confirmBtn.dataset.confirm)) {
    event.preventDefault();
  }
});

// "Chọn tất cả": ticks every row checkbox of the same form (rows swapped in by htmx too).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  for (const box of all.form.querySelectorAll("input[name=tips]")) box.checked = all.checked;
});

// A form marked data-submit-once is sent once: a double tap on "Gửi tin báo" must not send
// it twice, or the browser shows the answer to the second request — the tip already filed,
// without the passphrase that only the first answer carries. Back/forward re-arms it.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-submit-once]");
  if (!form) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-submit-once]")) {
    delete form.dataset.sent;
  }
});
