// The index's filter: shows only the projects whose name, id or Jira key contain every word typed.
// Without JavaScript the filter stays hidden and every project is listed.
const filter = document.querySelector('.filter');
const input = document.getElementById('filter');
const count = document.getElementById('filter-count');
const cards = Array.from(document.querySelectorAll('#projects > li'));
let frame = 0;

function apply() {
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const card of cards) {
    const text = card.dataset.search ?? '';
    const match = words.every((word) => text.includes(word));
    card.hidden = !match;
    if (match) shown++;
  }
  const total = `${cards.length} project${cards.length === 1 ? '' : 's'}`;
  count.textContent = words.length === 0 ? `Showing all ${total}` : `Showing ${shown} of ${total}`;
}

filter.hidden = false;
input.addEventListener('input', () => {
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(apply);
});
// A browser that restores the field's text on going back gets the matching list too.
if (input.value !== '') apply();
