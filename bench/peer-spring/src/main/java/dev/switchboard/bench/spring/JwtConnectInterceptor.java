package dev.switchboard.bench.spring;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.text.ParseException;
import java.util.Date;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageHeaderAccessor;

/**
 * Checks {@code Authorization: Bearer <jwt>} (HS256, {@code exp}) on STOMP CONNECT, the usual
 * Spring recipe; a bad token makes Spring answer with an ERROR frame and close.
 */
final class JwtConnectInterceptor implements ChannelInterceptor {

    private final MACVerifier verifier;

    JwtConnectInterceptor(String secret) {
        try {
            verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalStateException("bench.jwt.secret must be at least 32 bytes", e);
        }
    }

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        StompHeaderAccessor accessor = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
        if (accessor == null || !StompCommand.CONNECT.equals(accessor.getCommand())) {
            return message;
        }
        String authorization = accessor.getFirstNativeHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new MessageDeliveryException("missing bearer token");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
            Date expiry = jwt.getJWTClaimsSet().getExpirationTime();
            if (!jwt.verify(verifier) || expiry == null || expiry.before(new Date())) {
                throw new MessageDeliveryException("invalid token");
            }
            String subject = jwt.getJWTClaimsSet().getSubject();
            Principal user = () -> subject;
            accessor.setUser(user);
        } catch (ParseException | JOSEException e) {
            throw new MessageDeliveryException("invalid token");
        }
        return message;
    }
}
