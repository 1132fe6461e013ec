// A report's chart: bars of the figures the page carries in #report-data (labels and
// datasets, money as strings, or counts when its unit says so), drawn in the brand's colours.
(() => {
  const colours = ["#0f766e", "#94a3b8", "#d97706", "#b91c1c", "#2563eb", "#7c3aed", "#059669"];
  const language = document.documentElement.lang || "id";
  const compact = new Intl.NumberFormat(language, {
    notation: "compact",
    maximumFractionDigits: 1,
  });
  const rupiah = new Intl.NumberFormat(language, {
    style: "currency",
    currency: "IDR",
    maximumFractionDigits: 0,
  });

  function draw() {
    const data = document.getElementById("report-data");
    const canvas = document.querySelector("canvas.report-chart");
    if (!data || !canvas || typeof Chart === "undefined") return;
    const chart = JSON.parse(data.textContent);
    const counts = chart.unit === "count"; // else Rupiah
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map((set, i) => ({
          label: set.label,
          data: set.data.map(Number),
          backgroundColor: colours[i % colours.length],
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          y: {
            beginAtZero: true,
            ticks: {
              precision: 0,
              callback: (value) => (counts ? compact.format(value) : `Rp ${compact.format(value)}`),
            },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.dataset.label}: ${counts ? item.raw : rupiah.format(item.raw)}`,
            },
          },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
