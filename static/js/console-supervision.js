// 下达督办单: only the fields of the chosen subject are shown (without scripts, all are).
(() => {
  const form = document.querySelector("[data-testid=issue-form]");
  if (!form) return;
  const show = () => {
    const chosen = form.querySelector("input[name=subject_kind]:checked");
    for (const fieldset of form.querySelectorAll("fieldset[data-subject]")) {
      fieldset.hidden = !chosen || fieldset.dataset.subject !== chosen.value;
    }
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "subject_kind") show();
  });
  show();
})();
