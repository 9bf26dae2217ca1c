package dev.switchboard.bench.spring;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;

/**
 * What users would pick instead of Switchboard: Spring Boot 3 with STOMP over WebSocket and the
 * simple broker ({@link StompConfig}). Usage: {@code SpringStompPeer <port>} with
 * {@code -Dbench.jwt.secret=...}; prints {@code READY <port>} once started, stops on SIGTERM.
 */
@SpringBootApplication
public class SpringStompPeer {

    public static void main(String[] args) {
        String port = args[0];
        SpringApplication application = new SpringApplication(SpringStompPeer.class);
        application.setDefaultProperties(Map.of(
                "server.port", port,
                "spring.main.banner-mode", "off",
                // Enough Tomcat connections for the largest run (15k sessions).
                "server.tomcat.max-connections", "30000",
                "server.tomcat.accept-count", "4096"));
        application.addListeners(event -> {
            if (event instanceof ApplicationReadyEvent) {
                System.out.println("READY " + port);
                System.out.flush();
            }
        });
        application.run(args);
    }
}
