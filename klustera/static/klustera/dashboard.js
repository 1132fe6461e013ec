// The dashboard's trend chart: billed and paid per month (bars) and the share
// collected (a line, right axis), drawn from the JSON the page carries in
// #trend-data and drawn again when htmx refreshes the figures. The canvas has
// no id: htmx would carry the old canvas's style attribute (Chart.js sizes it)
// over to the new one, which the CSP refuses.
(() => {
  const language = document.documentElement.lang || "id";
  const rupiah = new Intl.NumberFormat(language, {
    style: "currency",
    currency: "IDR",
    maximumFractionDigits: 0,
  });
  const compact = new Intl.NumberFormat(language, {
    notation: "compact",
    maximumFractionDigits: 1,
  });

  function draw() {
    const data = document.getElementById("trend-data");
    const canvas = document.querySelector("canvas.trend-chart");
    if (!data || !canvas || typeof Chart === "undefined") return;
    const trend = JSON.parse(data.textContent);
    const money = (values) => values.map(Number); // Decimal strings; drawing needs no more precision
    Chart.getChart(canvas)?.destroy();
    new Chart(canvas, {
      data: {
        labels: trend.labels,
        datasets: [
          {
            type: "bar",
            label: trend.names.billed,
            data: money(trend.billed),
            yAxisID: "money",
            backgroundColor: "#cbd5e1",
          },
          {
            type: "bar",
            label: trend.names.paid,
            data: money(trend.paid),
            yAxisID: "money",
            backgroundColor: "#0f766e",
          },
          {
            type: "line",
            label: trend.names.rate,
            data: trend.rate,
            yAxisID: "rate",
            borderColor: "#d97706",
            backgroundColor: "#d97706",
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          money: {
            position: "left",
            beginAtZero: true,
            ticks: { callback: (value) => `Rp ${compact.format(value)}` },
          },
          rate: {
            position: "right",
            min: 0,
            max: 100,
            grid: { drawOnChartArea: false },
            ticks: { callback: (value) => `${value}%` },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.dataset.label}: ${
                  item.dataset.yAxisID === "rate" ? `${item.raw}%` : rupiah.format(item.raw)
                }`,
            },
          },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
