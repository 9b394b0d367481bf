"""Everything about chatting: the channel-neutral engine and the channels."""
