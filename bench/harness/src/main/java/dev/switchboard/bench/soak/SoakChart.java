package dev.switchboard.bench.soak;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The soak chart: four panels over time (heap after GC, threads, open fds, latency p50/p99), with
 * the end of the warm-up third marked, drawn with XChart like the suite's charts and stacked into
 * one PNG.
 */
final class SoakChart {

    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 280;

    private SoakChart() {
    }

    static void write(List<SoakSample> samples, double warmUpEndsMinutes, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<XYChart> panels = List.of(
                panel("Server heap after full GC", "MB", samples, warmUpEndsMinutes, new Line("heap used", SoakSample::heapMb)),
                panel("Server threads", "threads", samples, warmUpEndsMinutes, new Line("threads", s -> s.threads())),
                panel("Server open file descriptors", "fds", samples, warmUpEndsMinutes, new Line("fds", s -> s.fds())),
                panel("Delivery latency to non-stalled sessions (per interval)", "ms", samples, warmUpEndsMinutes,
                        new Line("p99", SoakSample::p99Ms), new Line("p50", SoakSample::p50Ms)));
        BufferedImage image = new BufferedImage(WIDTH, PANEL_HEIGHT * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            graphics.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), 0, i * PANEL_HEIGHT, null);
        }
        graphics.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private record Line(String name, ToDoubleFunction<SoakSample> value) {
    }

    private static XYChart panel(String title, String unit, List<SoakSample> samples, double warmUpEndsMinutes, Line... lines) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("minutes").yAxisTitle(unit).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisMin(0.0);
        double[] minutes = samples.stream().mapToDouble(s -> s.seconds() / 60).toArray();
        double top = 0;
        for (Line line : lines) {
            double[] ys = samples.stream().mapToDouble(line.value()).toArray();
            chart.addSeries(line.name(), minutes, ys);
            for (double y : ys) {
                top = Math.max(top, y);
            }
        }
        if (warmUpEndsMinutes > 0) {
            XYSeries boundary = chart.addSeries("end of warm-up", new double[] {warmUpEndsMinutes, warmUpEndsMinutes},
                    new double[] {0, top * 1.05});
            boundary.setLineColor(Color.GRAY);
            boundary.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
