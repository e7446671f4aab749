/* Reading libvirt's XML: one libxml2 parse per document and XPath queries on it, every result
 * copied into the caller's arena, the document freed with the arena. */
#include "app/reconciler/xpath.h"

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>
#include <string.h>

static void
free_doc(void *p)
{
    xmlFreeDoc(p);
}

static void
free_context(void *p)
{
    xmlXPathFreeContext(p);
}

xmlXPathContextPtr
nb_xpath_open(struct nb_req *r, const char *xml)
{
    xmlParserCtxtPtr parser = xmlNewParserCtxt();
    xmlXPathContextPtr x;
    xmlDocPtr doc;

    if (parser == NULL)
        abort(); /* out of memory, as the arena does */
    /* Errors are kept in the parser, not printed: the failure says what went wrong. */
    doc = xmlCtxtReadMemory(parser, xml, (int)strlen(xml), NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        const xmlError *e = xmlCtxtGetLastError(parser);

        nb_fail(r, NB_E_CONFLICT, "XML from libvirt does not parse: line %d: %.120s",
                e != NULL ? e->line : 0,
                e != NULL && e->message != NULL ? e->message : "no root element");
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(parser);
        return NULL;
    }
    xmlFreeParserCtxt(parser);
    nb_arena_defer(r->arena, free_doc, doc);
    if ((x = xmlXPathNewContext(doc)) == NULL)
        abort();
    nb_arena_defer(r->arena, free_context, x);
    x->node = xmlDocGetRootElement(doc);
    return x;
}

/* expr evaluated from at (the root element when NULL); NULL when it is invalid. */
static xmlXPathObjectPtr
eval(xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o;

    x->node = at != NULL ? at : xmlDocGetRootElement(x->doc);
    o = xmlXPathEval((const xmlChar *)expr, x);
    x->node = xmlDocGetRootElement(x->doc);
    return o;
}

const char *
nb_xpath_string(struct nb_req *r, xmlXPathContextPtr x, xmlNodePtr at, const char *expr)
{
    xmlXPathObjectPtr o = x != NULL ? eval(x, at, expr) : NULL;
    xmlChar *s = NULL;
    const char *copy;

    if (o == NULL)
        return NULL;
    if (o->type != XPATH_NODESET)
        s = xmlXPathCastToString(o);
    else if (o->nodesetval != NULL && o->nodesetval->nodeNr > 0)
        s = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
    xmlXPathFreeObject(o);
    if (s == NULL)
        return NULL;
    copy = nb_arena_strdup(r->arena, (const char *)s);
    xmlFree(s);
    return copy;
}

int
nb_xpath_nodes(struct nb_req *r, xmlXPathContextPtr x, xmlNodePtr at, const char *expr,
               xmlNodePtr **nodes)
{
    xmlXPathObjectPtr o = x != NULL ? eval(x, at, expr) : NULL;
    int n =
        o != NULL && o->type == XPATH_NODESET && o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;

    *nodes = n > 0 ? nb_arena_alloc(r->arena, (size_t)n * sizeof(xmlNodePtr)) : NULL;
    for (int i = 0; i < n; i++)
        (*nodes)[i] = o->nodesetval->nodeTab[i];
    xmlXPathFreeObject(o);
    return n;
}

const char *
nb_xpath_format(struct nb_req *r, xmlXPathContextPtr x)
{
    xmlBufferPtr buf = xmlBufferCreate();
    const char *text;

    if (buf == NULL || xmlNodeDump(buf, x->doc, xmlDocGetRootElement(x->doc), 0, 0) < 0)
        abort(); /* out of memory */
    text = nb_arena_strdup(r->arena, (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return text;
}
