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
