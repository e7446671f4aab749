/* XML text that Nimbus writes for libvirt: the one escaping function every value goes
 * through (the reconciler reads libvirt's XML with libxml2 instead, app/reconciler/xpath.h). */
#ifndef NB_XML_H
#define NB_XML_H

#include "app/arena.h"

/* s made safe as XML character data and as an attribute value in either quote, living in a:
 * & < > " ' become entities; tab, newline and carriage return become character references
 * (so that attribute normalisation keeps them); every other character XML 1.0 forbids (C0
 * controls, surrogates, U+FFFE, U+FFFF) and every byte that is not part of valid UTF-8 becomes
 * U+FFFD. The rest is copied as it is. */
const char *nb_xml_escape(struct nb_arena *a, const char *s);

#endif
