// Reply templates: choosing a civil-language template fills the reply box (kept editable).
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || select.name !== "template") return;
  const source = document.getElementById("reply-templates");
  if (!source || !select.value) return;
  const texts = JSON.parse(source.textContent);
  const box = select.form.querySelector("textarea[name=content]");
  if (box && texts[select.value]) box.value = texts[select.value];
});

// Routing suggestions: "选用" picks the suggested unit in the dispatch form without a
// reload (the link itself, ?unit=…, does the same through the server without scripts).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-routing-unit]");
  if (!link) return;
  const select = document.querySelector("form[data-action=dispatch] select[name=unit]");
  if (!select || !select.querySelector(`option[value="${link.dataset.routingUnit}"]`)) return;
  event.preventDefault();
  select.value = link.dataset.routingUnit;
  select.focus();
});
