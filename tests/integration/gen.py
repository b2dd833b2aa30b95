"""Generated article texts for the volume tests: small, distinct, news-like."""

PLACES = ["Northfield", "Easton", "Millbrook", "Ashford", "Kingsbridge", "Redcliff", "Lowmoor",
          "Harwick", "Stonehaven", "Bramley", "Westerby", "Oakhurst"]
TOPICS = ["a new cycle lane", "the library opening hours", "repairs to the river bridge",
          "a summer music festival", "the closure of a post office", "school bus timetables",
          "a community garden", "parking charges in the market square"]


def article(i):
    """Article number i: a headline and two paragraphs; the token 'ref<i>x' occurs once."""
    place = PLACES[i % len(PLACES)]
    topic = TOPICS[(i // len(PLACES)) % len(TOPICS)]
    return ("%s council discusses %s, meeting %d\n\n"
            "Councillors in %s met on Monday to discuss %s, file ref%dx of the planning "
            "office, after residents sent %d letters on the subject.\n\n"
            "A decision on the proposal is expected at the next meeting, the council said in "
            "a statement issued to the local press, adding that %d objections were received.\n"
            % (place, topic, i, place, topic, i, i % 97 + 3, i % 13 + 1)).encode()


def token(i):
    return "ref%dx" % i
