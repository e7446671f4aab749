/* libvirt's XML read the way libvirt reads it: parsed once with libxml2, queried with XPath
 * (the XML Nimbus writes goes through nb_xml_escape, app/xml.h). */
#ifndef NB_RECONCILER_XPATH_H
#define NB_RECONCILER_XPATH_H

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "app/request.h"

/* xml parsed (no network access, no external entities) into a document and an XPath context
 * on it, both freed when r's arena resets; NULL with the failure recorded (NB_E_CONFLICT, the
 * parser's line and message). */
xmlXPathContextPtr nb_xpath_open(struct nb_req *r, const char *xml);

/* The string value of the first node expr selects, relative to at (NULL: the root element):
 * an attribute's value or an element's text, entities and character references resolved;
 * copied into r's arena. An expression of another type (count(), string()) gives its value as
 * a string. NULL when nothing is selected, expr is invalid or x is NULL (a document that did
 * not parse reads as empty). */
const char *nb_xpath_string(struct nb_req *r, xmlXPathContextPtr x, xmlNodePtr at,
                            const char *expr);

/* The nodes expr selects relative to at (NULL: the root element), in document order, as an
 * array in r's arena that *nodes points to; their number, 0 when none (then *nodes is NULL).
 * The nodes live as long as the document. */
int nb_xpath_nodes(struct nb_req *r, xmlXPathContextPtr x, xmlNodePtr at, const char *expr,
                   xmlNodePtr **nodes);

/* The document's root element as XML text in r's arena, with whatever was changed in it. */
const char *nb_xpath_format(struct nb_req *r, xmlXPathContextPtr x);

#endif
