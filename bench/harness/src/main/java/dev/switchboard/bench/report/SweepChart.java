package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.SweepStep;
import dev.switchboard.bench.scenario.Target;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of the rate sweep, one per N: p99 (solid) and p50 (dashed) latency against the
 * offered load, one colour per peer. The latency axis is logarithmic: past a peer's limit latency
 * grows from milliseconds to seconds, and a linear axis would flatten every sustained step to zero.
 */
final class SweepChart {

    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    /** Log axis: a latency under 0.1 ms is drawn at 0.1 ms. */
    private static final double FLOOR_MS = 0.1;

    private final SweepFigures figures;
    private final List<Target> targets;

    SweepChart(SweepFigures figures, List<Target> targets) {
        System.setProperty("java.awt.headless", "true");
        this.figures = figures;
        this.targets = targets;
    }

    static String fileName(int n) {
        return "sweep-latency-n" + n + ".png";
    }

    /** Writes one chart per N that has windows; returns their files. */
    List<Path> write(Path directory) throws IOException {
        List<Path> written = new ArrayList<>();
        for (int n : figures.sizes()) {
            XYChart chart = new XYChartBuilder().width(1000).height(560)
                    .title("Latency against offered load, N = " + n + " (p99 solid, p50 dashed; server on one core)")
                    .xAxisTitle("offered deliveries/s").yAxisTitle("ms from the intended send time").build();
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setXAxisDecimalPattern("#,###");
            for (int i = 0; i < targets.size(); i++) {
                Target target = targets.get(i);
                List<SweepStep> ladder = figures.ladder(target.name(), n).stream()
                        .filter(s -> !Double.isNaN(s.p99()) && !Double.isNaN(s.p50())).toList();
                if (ladder.isEmpty()) {
                    continue;
                }
                Color colour = COLOURS[i % COLOURS.length];
                List<Double> xs = ladder.stream().map(SweepStep::offered).toList();
                XYSeries p99 = chart.addSeries(target.name() + " p99", xs,
                        ladder.stream().map(s -> Math.max(FLOOR_MS, s.p99())).toList());
                p99.setLineColor(colour);
                p99.setMarkerColor(colour);
                p99.setMarker(SeriesMarkers.CIRCLE);
                XYSeries p50 = chart.addSeries(target.name() + " p50", xs,
                        ladder.stream().map(s -> Math.max(FLOOR_MS, s.p50())).toList());
                p50.setLineColor(colour);
                p50.setMarkerColor(colour);
                p50.setMarker(SeriesMarkers.NONE);
                p50.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
            if (chart.getSeriesMap().isEmpty()) {
                continue;
            }
            List<Double> offered = figures.all().stream().filter(s -> s.n() == n).map(SweepStep::offered).sorted().toList();
            XYSeries limit = chart.addSeries("p99 limit (sustained)", List.of(offered.get(0), offered.get(offered.size() - 1)),
                    List.of(figures.all().get(0).p99Limit(), figures.all().get(0).p99Limit()));
            limit.setLineColor(Color.GRAY);
            limit.setMarker(SeriesMarkers.NONE);
            limit.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
            Path file = directory.resolve(fileName(n));
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(file);
        }
        return written;
    }
}
