// Charts of the tip statistics page. The figures come from the page itself
// ({{ data|json_script:"tip-stats-data" }}); every chart repeats a table that is shown below
// it, so the page reads the same without JavaScript or without a screen.
(() => {
  const source = document.getElementById("tip-stats-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = [
    "#b71c1c", "#0b57a4", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f",
    "#ad1457", "#5d4037", "#546e7a", "#9e9d24", "#283593", "#c62828",
  ];
  // How each breakdown is drawn: months as columns, few parts as a ring, long lists as bars.
  const kinds = {
    month: { type: "bar" },
    channel: { type: "doughnut" },
    block: { type: "doughnut" },
    category: { type: "bar", horizontal: true },
    ward: { type: "bar", horizontal: true },
    outcome: { type: "bar", horizontal: true },
    status: { type: "bar", horizontal: true },
  };
  const number = new Intl.NumberFormat(document.documentElement.lang || "vi");

  for (const breakdown of data.breakdowns) {
    const canvas = document.querySelector(`canvas[data-chart="${breakdown.key}"]`);
    if (!canvas) continue;
    const kind = kinds[breakdown.key] || { type: "bar" };
    const ring = kind.type === "doughnut";
    // A ring of zeros draws nothing: leave only the parts that have tips.
    const keep = breakdown.counts.map((n) => !ring || n > 0);
    const labels = breakdown.labels.filter((_, i) => keep[i]);
    const counts = breakdown.counts.filter((_, i) => keep[i]);
    new window.Chart(canvas, {
      type: kind.type,
      data: {
        labels,
        datasets: [
          {
            label: data.label,
            data: counts,
            backgroundColor: ring ? labels.map((_, i) => palette[i % palette.length]) : palette[0],
            borderWidth: ring ? 1 : 0,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        indexAxis: kind.horizontal ? "y" : "x",
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: {
          legend: { display: ring, position: "right" },
          tooltip: {
            callbacks: { label: (item) => ` ${number.format(item.raw)}` },
          },
        },
        scales: ring
          ? {}
          : {
              [kind.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } },
            },
      },
    });
  }
})();
