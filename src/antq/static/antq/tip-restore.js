// "Thêm dấu": puts back the diacritics of a text typed without them (templates/tips/_restore.html).
// The server restores (POST to data-restore-url) and renders the panel: the restored text,
// the words to check with their alternatives, and "Hoàn tác". Here the text area gets the
// restored text, and "Hoàn tác" gives back what was typed. Without JavaScript, the
// operator's form posts itself and the page comes back restored.
(() => {
  for (const box of document.querySelectorAll("[data-restore]")) {
    const field = document.getElementById(box.dataset.restoreFor);
    if (!field || !field.form) continue;
    const form = field.form;
    const button = box.querySelector("[data-restore-button]");
    const panel = box.querySelector("[data-restore-panel]");
    // What was typed before the last restoration (a page restored without JavaScript
    // carries it in its panel).
    let typed = panel.querySelector("[data-typed]")?.dataset.typed ?? null;
    box.hidden = false;

    const failed = () => {
      const message = document.createElement("p");
      message.className = "msg msg-error";
      message.setAttribute("role", "alert");
      message.textContent = box.dataset.restoreFailed;
      panel.replaceChildren(message);
    };

    const restore = async () => {
      if (button.disabled) return;
      const body = new FormData();
      body.append("text", field.value);
      body.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
      button.disabled = true;
      try {
        const response = await fetch(box.dataset.restoreUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-Requested-With": "XMLHttpRequest" },
        });
        // The panel (200) or the reason it cannot restore (400); anything else — the login
        // page after the session expired, a refusal — is not a panel to show.
        if (response.redirected || (response.status !== 200 && response.status !== 400)) {
          failed();
          return;
        }
        // Rendered and escaped by the server, and holds no script.
        panel.innerHTML = await response.text();
        const result = panel.querySelector("[data-restored]");
        if (response.ok && result) {
          typed = field.value;
          field.value = result.dataset.restored;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      } catch {
        failed();
      } finally {
        button.disabled = false;
      }
    };

    button.addEventListener("click", (event) => {
      event.preventDefault();
      restore();
    });
    if (button.hasAttribute("aria-keyshortcuts")) {
      field.addEventListener("keydown", (event) => {
        if (event.key !== "F2" || event.isComposing) return;
        event.preventDefault();
        restore();
      });
    }
    panel.addEventListener("click", (event) => {
      if (!event.target.closest("[data-restore-undo]")) return;
      event.preventDefault();
      if (typed !== null) {
        field.value = typed;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
      typed = null;
      panel.replaceChildren();
      field.focus();
    });
  }
})();
