package dev.switchboard.examples.callcentre;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The example's own HTTP endpoints under {@code /centre}: the simulated telephony system
 * ({@link CallsResource}) and the demo login ({@link LoginResource}). Switchboard's own HTTP API
 * stays at {@code /api/v1}.
 */
@ApplicationPath("centre")
public class CallCentreApi extends Application {
}
