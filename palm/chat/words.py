"""The words a person types in Spanish and French, for the intent parser (palm.chat.topics).

The offline reader answers in the person's language, so it must also understand a question
typed in it, not only its own suggestions sent back. Each pattern here is joined to the English
one of the same topic or intent: a message is understood whatever the language preference
(a bilingual person may switch mid-thread). Accents are optional where people often leave them
out ("corazon", "coeur"). Words that are also common English ("but", "couple", "tout") are left
out on purpose: a pattern must not pull an English question onto the wrong topic.
"""

from __future__ import annotations

#: topic → Spanish | French words naming it (same topics as topics.TOPIC_PATTERNS).
TOPICS: dict[str, str] = {
    "compare": (
        r"comparar?\w*|cambi(o|ó|ado|ada)\b|diferencia\w*|ambas manos|mis (dos )?manos|"
        r"(otra|anterior|[uú]ltima) lectura|la [uú]ltima vez|desde entonces|"
        r"compare[rz]?\b|chang[ée]\w*|diff[ée]ren\w*|mes (deux )?mains|les deux mains|"
        r"(autre|pr[ée]c[ée]dente|derni[èe]re) lecture|la derni[èe]re fois"
    ),
    "heart_line": r"l[ií]nea del coraz[oó]n|\bcoraz[oó]n\b|ligne (du|de) c(œ|oe)ur|\bc(œ|oe)ur\b",
    "head_line": r"l[ií]nea de la cabeza|\bcabeza\b|ligne de (la )?t[êe]te|\bt[êe]te\b",
    "life_line": r"l[ií]nea de la vida|ligne de (la )?vie",
    "fate_line": r"l[ií]nea del destino|\bdestino\b|ligne (du|de) destin\w*|\bdestin(ée)?\b",
    "sun_line": (
        r"l[ií]nea del sol|\bsol\b|\bapolo\b|\bfama\b|reconocimiento|"
        r"ligne (du|de) soleil|\bsoleil\b|apollon|c[ée]l[ée]brit[ée]|reconnaissance"
    ),
    "mercury_line": r"mercurio|comunicaci[oó]n\w*|\bmercure\b",
    "life": (
        r"camino vital|\bvida\b|\bfuturo\b|\brumbo\b|direcci[oó]n|"
        r"chemin de vie|\bvie\b|\bavenir\b|\bfutur\b"
    ),
    "love": (
        r"\bamor\b|relaci[oó]n\w*|rom[aá]ntic\w*|\bpareja\b|matrimonio|casar\w*|"
        r"emoci[oó]n\w*|sentimientos|cariño|afecto|"
        r"\bamour\w*|relations?\b|romantique|partenaire|mariage|marier|[ée]motions?\b|"
        r"sentiments|\ben couple\b"
    ),
    "career": (
        r"trabajo|carrera|profesi[oó]n\w*|dinero|[eé]xito|negocios?\b|vocaci[oó]n|"
        r"prop[oó]sito|riqueza|\bfortuna\b|"
        r"travail|carri[èe]re|m[ée]tier|argent|succ[èe]s|r[ée]ussite|\baffaires\b|richesse"
    ),
    "health": (
        r"\bsalud\b|energ[ií]a|equilibrio|bienestar|vitalidad|estr[eé]s|descanso|"
        r"sant[ée]|[ée]nergie|[ée]quilibre|bien-[êe]tre|vitalit[ée]|\brepos\b"
    ),
    "head": (
        r"\bmente\b|\bpensar\b|\bpienso\b|pensamiento|intelecto|concentraci[oó]n|"
        r"decisi[oó]n\w*|razonamiento|"
        r"\besprit\b|\bpenser\b|\bpense\b|pens[ée]es?\b|d[ée]cisions?\b|raisonnement"
    ),
    "shape": (
        r"\bforma\b|elemento|tipo de mano|\bdedos?\b|palma cuadrada|"
        r"mano de (fuego|tierra|aire|agua)|"
        r"\bforme\b|[ée]l[ée]ment|type de main|\bdoigts?\b|paume carr[ée]e|"
        r"main de (feu|terre|air|eau)"
    ),
    "overview": (
        r"en general|\bresum\w*|toda la lectura|qu[eé] dice mi palma|"
        r"dans l'ensemble|r[ée]sum[ée]\w*|toute la lecture|que dit ma (paume|main)"
    ),
}

MEDICAL = (
    r"cu[aá]nto (tiempo )?(voy a vivir|vivir[eé])|cu[aá]ntos años (me quedan|voy a vivir|"
    r"vivir[eé])|cu[aá]ndo (voy a morir|morir[eé])|\bmorir[eé]\b|mi muerte|enferm\w+|"
    r"embaraz\w*|m[eé]dic[oa]s?\b|\bdoctor\w*|\bcurar\w*|\bcura\b|"
    r"combien de temps (vais-je|je vais) vivre|combien d'ann[ée]es (me reste|vais-je|je vais)|"
    r"quand (vais-je|est-ce que je vais|je vais) mourir|\bmourrai\b|ma mort\b|malad\w+|"
    r"enceinte|grossesse|m[ée]decin\w*|m[ée]dical\w*|docteur|gu[ée]ri\w*"
)
INJECTION = (
    r"ignora (\w+ ){0,3}(instrucciones|reglas)|prompt del sistema|"
    r"(muestra|dime|revela|ens[eé]ñame)\b[^.?!]{0,40}\b(tus instrucciones|otros usuarios|"
    r"otras personas|la base de datos|contraseñas?)|"
    r"ignore[sz]? (\w+ ){0,3}(tes |vos |les )?(instructions|r[èe]gles)|prompt syst[èe]me|"
    r"(montre|dis-moi|r[ée]v[èe]le|affiche)\b[^.?!]{0,40}\b(tes instructions|vos instructions|"
    r"autres utilisateurs|la base de donn[ée]es|mots? de passe)"
)
GREETING = r"^\s*¡?(hola|buen(os|as) (d[ií]as|tardes|noches)|bonjour|salut|bonsoir|coucou)\b"
THANKS = r"\b(gracias|merci)\b"
HELP = (
    r"\b(ayuda|ay[uú]dame|qu[eé] puedo preguntar|c[oó]mo funciona|aide|aidez-moi|"
    r"que puis-je demander|comment [çc]a marche)\b"
)
FOLLOW_UP = (
    r"^\s*¿?(y|qu[eé] m[aá]s|cu[eé]ntame m[aá]s|m[aá]s|por qu[eé]|tambi[eé]n|"
    r"et|dis-m'en plus|pourquoi|aussi)\b"
)
QUESTION_START = (
    r"^\s*¿?(qu[eé]|qui[eé]n|c[oó]mo|cu[aá]ndo|d[oó]nde|por qu[eé]|cu[aá]l|puedes|dime|h[aá]blame|"
    r"que|qui|comment|quand|o[uù]|pourquoi|quel\w*|peux-tu|est-ce|dis-moi|parle-moi)\b"
)
#: A hand named in Spanish or French → the canonical name ("other": the hand not read last).
HAND_WORDS: dict[str, str] = {
    "izquierda": "left",
    "izquierdo": "left",
    "gauche": "left",
    "derecha": "right",
    "derecho": "right",
    "droite": "right",
    "otra": "other",
    "autre": "other",
}
HAND = (
    r"\b(otra|autre)\s+(mano|palma|main|paume)\b|"
    r"\b(izquierda|izquierdo|derecha|derecho|gauche|droite)\b"
)
