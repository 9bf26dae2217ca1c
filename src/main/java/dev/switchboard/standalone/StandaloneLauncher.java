package dev.switchboard.standalone;

import dev.switchboard.config.ConfigurationException;
import dev.switchboard.config.Settings;
import dev.switchboard.config.ShutdownDrain;
import dev.switchboard.standalone.cli.CommandLine;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.core.StandardThreadExecutor;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import sun.misc.Signal;

/**
 * {@code java -jar switchboard-standalone.jar}: runs the servlet-container WAR (the very artifact a
 * Tomcat user deploys) on an embedded Tomcat, with Tomcat's own WebSocket implementation and Weld
 * from the WAR. Port from {@code SWITCHBOARD_PORT}. Without a configured key it runs in dev mode
 * (see {@link DevMode}). SIGTERM and SIGINT stop it gracefully (every session closed with 1001)
 * and exit with status 0.
 */
public final class StandaloneLauncher {

    private static final Logger LOG = System.getLogger(StandaloneLauncher.class.getName());
    /**
     * Size of the three buffers Tomcat's WebSocket gives each session for its whole life (reading
     * frames, encoding text, batching writes), 8 KiB by default. 2 KiB still batches a dozen
     * typical frames per write, and takes 18 KiB off every idle session. Read once, when Tomcat's
     * WebSocket classes load: set before Tomcat starts, unless the user set it.
     */
    private static final String TOMCAT_WEBSOCKET_BUFFER_SIZE = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    private final Tomcat tomcat = new Tomcat();
    private final Path workDirectory;
    /** The application, set by {@link #start} before the signal handlers that read it are installed. */
    private Context context;

    private StandaloneLauncher(Path workDirectory) {
        this.workDirectory = workDirectory;
    }

    /**
     * Without arguments, runs the server; with some, runs a command of {@link CommandLine} (help,
     * token, check-config, version) and exits with its status.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.exit(CommandLine.run(args, System.out, System.err));
        }
        serve();
    }

    /**
     * Checks every setting before the container starts, so that a bad one is one line on stderr
     * and exit status {@value StartupFailure#BAD_SETTING}, then starts the server and prints the
     * banner.
     */
    private static void serve() throws Exception {
        // The banner is this command's user interface (a token to copy), so it goes to stdout.
        PrintStream console = System.out;
        // First, before Tomcat logs anything: its own lines may quote a request target with a token.
        LogRedaction.installOnRootHandlers();
        StartupFailure failure = new StartupFailure(System.err, "Switchboard cannot start: ");
        StartupLogLevels quiet = StartupLogLevels.quietUnlessDebug(failure.debug());
        Runnable endFailedStartFilter = FailedStartFilter.installUnlessDebug(failure.debug());
        Path workDirectory = Files.createTempDirectory("switchboard-");
        int port;
        DevMode devMode;
        try {
            Settings settings = Settings.fromProcess();
            devMode = DevMode.enableIfNoKey(settings);
            ApplicationCheck.copyWar(workDirectory.resolve("switchboard-servlet.war"));
            ApplicationCheck.run(workDirectory);
            port = Integer.parseInt(settings.get("port").orElse("8080")); // checked just now
            PortCheck.requireFree(port);
        } catch (ConfigurationException e) {
            deleteTree(workDirectory);
            System.exit(failure.badSetting(e));
            return;
        } catch (RuntimeException | IOException e) {
            deleteTree(workDirectory);
            System.exit(failure.unexpected(e));
            return;
        }
        if (System.getProperty(TOMCAT_WEBSOCKET_BUFFER_SIZE) == null) {
            System.setProperty(TOMCAT_WEBSOCKET_BUFFER_SIZE, "2048");
        }

        StandaloneLauncher launcher = new StandaloneLauncher(workDirectory);
        Boolean started = launcher.start(port, failure.debug());
        if (!Boolean.TRUE.equals(started)) {
            launcher.stopQuietly();
            // null: a setting failed inside the application (Redis out of reach), which said so in one line.
            System.exit(started == null ? StartupFailure.BAD_SETTING : StartupFailure.OTHER_FAILURE);
        }
        Signal.handle(new Signal("TERM"), signal -> launcher.stopAndExit());
        Signal.handle(new Signal("INT"), signal -> launcher.stopAndExit());

        String base = "http://localhost:" + port + "/";
        console.println("Switchboard is running at " + base);
        if (devMode != null) {
            devMode.printWelcome(console, base);
        }
        quiet.restore(); // from now on the container logs as configured (its refusals are worth seeing)
        endFailedStartFilter.run();
    }

    /**
     * Starts Tomcat with the WAR at the root context: true if it runs; null if a setting failed in
     * the application, which has logged the one line that says so; false (with the log saying why)
     * if anything else failed.
     */
    private Boolean start(int port, boolean debug) throws IOException, LifecycleException {
        Path war = workDirectory.resolve("switchboard-servlet.war");
        if (!Files.exists(war)) {
            ApplicationCheck.copyWar(war);
        }
        tomcat.setBaseDir(workDirectory.toString());
        tomcat.getHost().setAppBase(workDirectory.resolve("webapps").toString());
        // Refusals the container makes itself (before any servlet runs) as JSON, without Tomcat's version.
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(JsonErrorReportValve.class.getName());
        Files.createDirectories(workDirectory.resolve("webapps"));
        Connector connector = new Connector();
        connector.setPort(port);
        // Each WebSocket session holds a connection; allow far more than the default 8192.
        connector.setProperty("maxConnections", "20000");
        // Per-connection copy buffers (default 8 KiB each), held for a WebSocket session's whole
        // life; larger reads and writes bypass them, so small ones cost idle memory, not speed.
        connector.setProperty("socket.appReadBufSize", "1024");
        connector.setProperty("socket.appWriteBufSize", "1024");
        StandardThreadExecutor pool = new StandardThreadExecutor();
        pool.setName("tomcat-exec");
        pool.setNamePrefix("tomcat-exec-");
        pool.setMinSpareThreads(10); // the connector's own pool's default (StandardThreadExecutor's is 25)
        tomcat.getService().addExecutor(pool); // started and stopped with the service
        connector.getProtocolHandler().setExecutor(new InlineSendCompletionExecutor(pool));
        tomcat.setConnector(connector);

        // Without Jasper, Tomcat's default web.xml would register a JSP servlet that cannot load:
        // register only what a static console needs.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        context = tomcat.addWebapp("", war.toString());
        Wrapper defaultServlet = Tomcat.addServlet(context, "default", new DefaultServlet());
        defaultServlet.setLoadOnStartup(1);
        context.addServletMappingDecoded("/", "default");
        Tomcat.addDefaultMimeTypeMappings(context);
        context.addWelcomeFile("index.html");
        StandardJarScanner scanner = (StandardJarScanner) context.getJarScanner();
        scanner.setScanClassPath(false); // the launcher's own jar holds no web fragments
        scanner.setScanManifest(false);

        try {
            tomcat.start();
        } catch (LifecycleException e) {
            if (FailedStartFilter.isSettingError(e)) {
                if (debug) {
                    LOG.log(Level.ERROR, "Embedded Tomcat failed to start (SWITCHBOARD_DEBUG is set)", e);
                }
                return null;
            }
            LOG.log(Level.ERROR, "Embedded Tomcat failed to start", e);
            System.err.println("Switchboard failed to start; see the log above.");
            return false;
        }
        if (context.getState() == LifecycleState.STARTED && connector.getState() == LifecycleState.STARTED) {
            return true;
        }
        System.err.println("Switchboard failed to start; see the log above.");
        return false;
    }

    private void stopAndExit() {
        LOG.log(Level.INFO, "Stopping Switchboard");
        drainApplication();
        stopQuietly();
        System.exit(0);
    }

    /**
     * Runs the application's {@link ShutdownDrain} while the connector still serves: Tomcat pauses
     * its connectors before it stops the web application, so a drain left to the undeploy could
     * not answer {@code /health/ready} (or a handshake) with 503. The undeploy's own drain then
     * finds nothing left to do.
     */
    private void drainApplication() {
        Object drain = context.getServletContext().getAttribute(ShutdownDrain.ATTRIBUTE);
        if (!(drain instanceof Runnable runnable)) {
            LOG.log(Level.WARNING, "The application registered no shutdown drain; stopping without one");
            return;
        }
        try {
            runnable.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Draining the application failed; stopping Tomcat anyway", e);
        }
    }

    private void stopQuietly() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            LOG.log(Level.WARNING, "Tomcat did not stop cleanly", e);
        }
        deleteWorkDirectory();
    }

    private void deleteWorkDirectory() {
        deleteTree(workDirectory);
    }

    private static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "Could not delete " + directory, e);
        }
    }
}
