package dev.switchboard.standalone;

import dev.switchboard.config.ConfigurationException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether the HTTP port is free, asked before the container starts: Tomcat would otherwise log its
 * BindException with some 60 lines of stack, start the whole application anyway, and only then
 * stop. Another process may still take the port in the instant between this check and Tomcat's
 * bind; Tomcat then reports it as before.
 */
final class PortCheck {

    private PortCheck() {
    }

    /** @throws ConfigurationException naming SWITCHBOARD_PORT, if something listens on {@code port} */
    static void requireFree(int port) throws IOException {
        if (port == 0) {
            return; // any free port
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Tomcat binds: a port in TIME_WAIT is free
            socket.bind(new InetSocketAddress(port));
        } catch (BindException e) {
            throw new ConfigurationException("SWITCHBOARD_PORT " + port + " is in use by another process ("
                    + e.getMessage() + "); stop that process or set SWITCHBOARD_PORT to a free port", e);
        }
    }
}
