package dev.switchboard.bench.spring;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationListener;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;

/**
 * Answers a SUBSCRIBE's {@code receipt} header with a RECEIPT frame: Spring's simple broker does
 * not (only the broker relay does), and the harness waits for the receipt to count a subscriber
 * as ready. The event fires once the SUBSCRIBE was handed to the broker channel; the harness does
 * not rely on it alone (it also waits until every subscriber received a first message).
 */
@Component
class SubscribeReceipts implements ApplicationListener<SessionSubscribeEvent> {

    private final MessageChannel clientOutboundChannel;

    SubscribeReceipts(@Qualifier("clientOutboundChannel") MessageChannel clientOutboundChannel) {
        this.clientOutboundChannel = clientOutboundChannel;
    }

    @Override
    public void onApplicationEvent(SessionSubscribeEvent event) {
        StompHeaderAccessor subscribe = StompHeaderAccessor.wrap(event.getMessage());
        String receipt = subscribe.getReceipt();
        if (receipt == null) {
            return;
        }
        StompHeaderAccessor answer = StompHeaderAccessor.create(StompCommand.RECEIPT);
        answer.setReceiptId(receipt);
        answer.setSessionId(subscribe.getSessionId());
        clientOutboundChannel.send(MessageBuilder.createMessage(new byte[0], answer.getMessageHeaders()));
    }
}
