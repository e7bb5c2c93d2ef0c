// A row's arrow buttons (app/components/cards.py row_html) scroll the row beside them by most of its width. One
// listener for the whole page: rows are markup, not elements with handlers of their own, and need no round trip.
document.addEventListener('click', (event) => {
  const arrow = event.target.closest('.bt-row-arrow[data-scroll]');
  const row = arrow && arrow.closest('.bt-section')?.querySelector('.bt-row');
  if (row) row.scrollBy({ left: Number(arrow.dataset.scroll) * 0.85 * row.clientWidth, behavior: 'smooth' });
});
