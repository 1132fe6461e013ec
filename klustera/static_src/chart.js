// The parts of Chart.js the dashboard draws with, bundled by `npm run chart`
// into klustera/static/vendor/ (the whole library is 37 KB heavier).
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip,
} from "chart.js";

Chart.register(
  BarController, BarElement, CategoryScale, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip,
);
window.Chart = Chart;
