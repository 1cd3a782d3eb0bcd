// Behaviour every page shares. The Content-Security-Policy allows no inline event handler
// (onclick=…), so buttons say what they do in a data- attribute and are bound here:
//   <button type="button" data-print>  prints the page (告知单, 一次性告知书).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
