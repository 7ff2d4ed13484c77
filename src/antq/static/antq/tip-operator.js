// The operator's call form (tin báo qua điện thoại): keyboard-only entry.
// Without JavaScript the form still works: the identity fields simply stay visible.
(() => {
  const form = document.querySelector("[data-operator-form]");
  if (!form) return;
  const anonymous = form.elements.namedItem("anonymous");
  const identity = form.querySelector("[data-caller-identity]");

  // Name and phone only when the caller does not want to stay anonymous; disabled fields
  // are skipped by Tab and not sent.
  const sync = () => {
    const hide = anonymous.checked;
    identity.hidden = hide;
    for (const input of identity.querySelectorAll("input")) input.disabled = hide;
  };
  anonymous.addEventListener("change", sync);
  sync();

  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    // Ctrl+Enter (⌘+Enter on a Mac) saves from anywhere, the text area included.
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    // Enter on the anonymity box (the last field of an anonymous call) saves too; text
    // fields already submit on Enter, the text area keeps its new lines, and a list keeps
    // Enter to confirm the choice.
    if (target instanceof HTMLInputElement && target.type === "checkbox") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
