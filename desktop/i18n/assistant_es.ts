<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>AnswerCard</name>
    <message>
        <location filename="../answer_card.py" line="107"/>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="108"/>
        <source>Not what I meant</source>
        <translation>No era eso</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="109"/>
        <source>Correct the intent</source>
        <translation>Corregir la intención</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="110"/>
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="111"/>
        <source>Edit profile…</source>
        <translation>Editar perfil…</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="129"/>
        <source>Alternatives: {alternatives}</source>
        <translation>Alternativas: {alternatives}</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="130"/>
        <source>Answered in {ms:.0f} ms</source>
        <translation>Respondido en {ms:.0f} ms</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="137"/>
        <source>Got it, I&apos;ll remember that “{text}” means {intent}.</source>
        <translation>Entendido: recordaré que «{text}» es {intent}.</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="139"/>
        <source>Got it (history is off, so nothing is remembered).</source>
        <translation>Entendido (el historial está desactivado, así que no recuerdo nada).</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="145"/>
        <source>Undone: I forgot that.</source>
        <translation>Deshecho: lo he olvidado.</translation>
    </message>
    <message>
        <location filename="../answer_card.py" line="152"/>
        <source>Sorry, I did not understand. Could you rephrase it?</source>
        <translation>Perdona, no te he entendido. ¿Puedes decirlo de otra forma?</translation>
    </message>
</context>
<context>
    <name>AssistantPanel</name>
    <message>
        <location filename="../panel.py" line="117"/>
        <location filename="../panel.py" line="271"/>
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="237"/>
        <source>Ask something, e.g. “what are your opening hours?”</source>
        <translation>Pregunta algo, p. ej. «¿a qué hora abrís?»</translation>
    </message>
    <message>
        <location filename="../panel.py" line="238"/>
        <source>Request</source>
        <translation>Petición</translation>
    </message>
    <message>
        <location filename="../panel.py" line="239"/>
        <source>A&amp;sk</source>
        <translation>&amp;Preguntar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="240"/>
        <source>Ask the assistant</source>
        <translation>Preguntar al asistente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="273"/>
        <source>Ready · {device}</source>
        <translation>Listo · {device}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="272"/>
        <source>Loading model… your request will run as soon as it is ready</source>
        <translation>Cargando modelo… tu petición se atenderá en cuanto esté listo</translation>
    </message>
    <message>
        <location filename="../panel.py" line="241"/>
        <source>Enter ask · ↑/↓ earlier requests · Tab answer · Esc clear · Ctrl+, settings · Ctrl+Q quit</source>
        <translation>Intro pregunta · ↑/↓ peticiones anteriores · Tab respuesta · Esc borra · Ctrl+, ajustes · Ctrl+Q salir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="243"/>
        <source>Tab moves to the answer: there ↑/↓ walk the choices and links, Enter runs the one marked and Esc goes back to the input.</source>
        <translation>Tab lleva a la respuesta: allí ↑/↓ recorren las opciones y los enlaces, Intro ejecuta el marcado y Esc vuelve a la entrada.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="247"/>
        <source>Earlier requests (Enter or double-click asks again)</source>
        <translation>Peticiones anteriores (Intro o doble clic la repite)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="274"/>
        <source>Copied to the clipboard</source>
        <translation>Copiado al portapapeles</translation>
    </message>
    <message>
        <location filename="../panel.py" line="275"/>
        <source>Forgot {count} learned request(s)</source>
        <translation>He olvidado {count} petición(es) aprendida(s)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="276"/>
        <source>History cleared</source>
        <translation>Historial borrado</translation>
    </message>
    <message>
        <location filename="../panel.py" line="277"/>
        <source>Your request was long ({words} words): I read its first and last {keep} words</source>
        <translation>Tu petición era larga ({words} palabras): he leído sus primeras y últimas {keep} palabras</translation>
    </message>
    <message>
        <location filename="../panel.py" line="278"/>
        <source>No program here opens “{scheme}” links; the value was copied instead</source>
        <translation>Ningún programa de este equipo abre enlaces «{scheme}»; he copiado el valor en su lugar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="336"/>
        <source>→ not sure: I will ask</source>
        <translation>→ no estoy seguro: preguntaré</translation>
    </message>
    <message>
        <location filename="../panel.py" line="338"/>
        <source>→ I can&apos;t help with that</source>
        <translation>→ no puedo ayudarte con eso</translation>
    </message>
    <message>
        <location filename="../panel.py" line="340"/>
        <source>→ {intent} · {band} {percent} · Enter runs it</source>
        <translation>→ {intent} · {band} {percent} · Intro lo ejecuta</translation>
    </message>
    <message>
        <location filename="../panel.py" line="504"/>
        <source>What can I do for you? Click an example or type your own request.</source>
        <translation>¿En qué puedo ayudarte? Pulsa un ejemplo o escribe tu petición.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="273"/>
        <source>No model loaded</source>
        <translation>No hay ningún modelo cargado</translation>
    </message>
</context>
<context>
    <name>Clarification</name>
    <message>
        <location filename="../clarification.py" line="78"/>
        <source>I&apos;m not sure what you mean. Did you mean…?</source>
        <translation>No estoy seguro de qué quieres decir. ¿Quisiste decir…?</translation>
    </message>
    <message>
        <location filename="../clarification.py" line="80"/>
        <source>None of these</source>
        <translation>Ninguna de estas</translation>
    </message>
    <message>
        <location filename="../clarification.py" line="81"/>
        <source>None of these intents</source>
        <translation>Ninguna de estas intenciones</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../dialogs.py" line="39"/>
        <source>The model could not be loaded</source>
        <translation>No se pudo cargar el modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="41"/>
        <source>Device not available</source>
        <translation>Dispositivo no disponible</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="43"/>
        <source>The engine stopped</source>
        <translation>El motor se ha detenido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="45"/>
        <source>Invalid setting</source>
        <translation>Ajuste no válido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="47"/>
        <source>Local data</source>
        <translation>Datos locales</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="48"/>
        <source>Something went wrong</source>
        <translation>Algo ha fallado</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="55"/>
        <source>The model bundle could not be used. The model in use (if any) keeps answering; choose another bundle in Settings.</source>
        <translation>No se pudo usar el paquete del modelo. El modelo en uso (si lo hay) sigue respondiendo; elige otro paquete en Ajustes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="58"/>
        <source>That device is not available here, so that model was not loaded. The model in use (if any) keeps answering; choose Automatic or CPU in Settings.</source>
        <translation>Ese dispositivo no está disponible aquí, así que ese modelo no se ha cargado. El modelo en uso (si lo hay) sigue respondiendo; elige Automático o CPU en Ajustes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="62"/>
        <source>The engine stopped or did not answer in time. Ask again; if it happens again, restart the assistant.</source>
        <translation>El motor se detuvo o no respondió a tiempo. Vuelve a preguntar; si se repite, reinicia el asistente.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="65"/>
        <source>A setting has a value that cannot be used.</source>
        <translation>Un ajuste tiene un valor que no se puede usar.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="67"/>
        <source>Your local data could not be read or saved. Answers still work; check the free space and the data folder&apos;s permissions.</source>
        <translation>No se pudieron leer o guardar tus datos locales. Las respuestas siguen funcionando; comprueba el espacio libre y los permisos de la carpeta de datos.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="69"/>
        <source>The assistant keeps running; the details say what happened.</source>
        <translation>El asistente sigue funcionando; los detalles explican qué pasó.</translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <location filename="../history_view.py" line="89"/>
        <location filename="../history_view.py" line="125"/>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location filename="../history_view.py" line="93"/>
        <source>no action</source>
        <translation>sin acción</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../window.py" line="194"/>
        <location filename="../window.py" line="196"/>
        <source>Offline assistant</source>
        <translation>Asistente sin conexión</translation>
    </message>
    <message>
        <location filename="../window.py" line="197"/>
        <source>Show or hide the window</source>
        <translation>Mostrar u ocultar la ventana</translation>
    </message>
    <message>
        <location filename="../window.py" line="198"/>
        <source>&amp;Assistant</source>
        <translation>&amp;Asistente</translation>
    </message>
    <message>
        <location filename="../window.py" line="199"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <location filename="../window.py" line="200"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../window.py" line="289"/>
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="308"/>
        <source>A new model was found in the model folder; checking it…</source>
        <translation>Hay un modelo nuevo en la carpeta del modelo; comprobándolo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="336"/>
        <source>show my profile</source>
        <translation>muéstrame mi perfil</translation>
    </message>
</context>
<context>
    <name>PanelWords</name>
    <message>
        <location filename="../style.py" line="31"/>
        <source>sure</source>
        <translation>seguro</translation>
    </message>
    <message>
        <location filename="../style.py" line="32"/>
        <source>probably</source>
        <translation>probablemente</translation>
    </message>
    <message>
        <location filename="../style.py" line="33"/>
        <source>not sure</source>
        <translation>no estoy seguro</translation>
    </message>
    <message>
        <location filename="../style.py" line="34"/>
        <source>learned from you on {date}</source>
        <translation>aprendido de ti el {date}</translation>
    </message>
    <message>
        <location filename="../style.py" line="35"/>
        <source>your choice</source>
        <translation>tu elección</translation>
    </message>
    <message>
        <location filename="../style.py" line="37"/>
        <source>Open now</source>
        <translation>Abierto ahora</translation>
    </message>
    <message>
        <location filename="../style.py" line="38"/>
        <source>Closed now</source>
        <translation>Cerrado ahora</translation>
    </message>
    <message>
        <location filename="../style.py" line="39"/>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <location filename="../style.py" line="40"/>
        <source>Call</source>
        <translation>Llamar</translation>
    </message>
    <message>
        <location filename="../style.py" line="41"/>
        <source>Write</source>
        <translation>Escribir</translation>
    </message>
    <message>
        <location filename="../style.py" line="42"/>
        <source>Map</source>
        <translation>Mapa</translation>
    </message>
    <message>
        <location filename="../style.py" line="43"/>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <location filename="../style.py" line="44"/>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../dialogs.py" line="451"/>
        <source>The email should look like name@example.org.</source>
        <translation>El correo debe tener la forma nombre@ejemplo.org.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="452"/>
        <source>The phone number should have at least 7 digits.</source>
        <translation>El teléfono debe tener al menos 7 cifras.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="428"/>
        <source>Edit profile</source>
        <translation>Editar perfil</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs.py" line="113"/>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="125"/>
        <source>Clarification threshold</source>
        <translation>Umbral de aclaración</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="131"/>
        <source>The bundle&apos;s calibrated value is {value}%.</source>
        <translation>El valor calibrado del paquete es {value}%.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="133"/>
        <source>The slider stops at {top}%: above it, requests for “{intent}” would nearly always ask.</source>
        <translation>El control llega hasta {top}%: por encima, las peticiones de «{intent}» casi siempre preguntarían.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="137"/>
        <source>Use the bundle&apos;s value</source>
        <translation>Usar el valor del paquete</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="141"/>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="141"/>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="146"/>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="150"/>
        <source>Like the system</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="150"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="151"/>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="154"/>
        <source>Keep a history of requests</source>
        <translation>Guardar un historial de peticiones</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="156"/>
        <source>Clear history</source>
        <translation>Borrar historial</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="158"/>
        <source>Fetch news feeds over the network</source>
        <translation>Descargar fuentes de noticias por la red</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="166"/>
        <source>Serve the local API on 127.0.0.1 (for other programs)</source>
        <translation>Servir la API local en 127.0.0.1 (para otros programas)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="170"/>
        <source>Local API: not part of this build (run from a source install to use it)</source>
        <translation>API local: no incluida en esta versión (úsala desde una instalación del código fuente)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="174"/>
        <location filename="../dialogs.py" line="231"/>
        <source>What I have learned</source>
        <translation>Lo que he aprendido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="179"/>
        <source>“{text}” → {intent} ({date})</source>
        <translation>«{text}» → {intent} ({date})</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="183"/>
        <source>Nothing yet: choices and corrections you make are learned here.</source>
        <translation>Nada todavía: aquí aparecen las elecciones y correcciones que me enseñes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="186"/>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="188"/>
        <source>Clear all</source>
        <translation>Borrar todo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="192"/>
        <location filename="../dialogs.py" line="410"/>
        <source>Bundled model</source>
        <translation>Modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="193"/>
        <source>Load another model bundle…</source>
        <translation>Cargar otro paquete de modelo…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="195"/>
        <source>Use the bundled model</source>
        <translation>Usar el modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="202"/>
        <source>Ask to clarify below</source>
        <translation>Pedir aclaración por debajo de</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="204"/>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="205"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="206"/>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="212"/>
        <location filename="../dialogs.py" line="301"/>
        <source>News feeds</source>
        <translation>Fuentes de noticias</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="221"/>
        <source>Suggested</source>
        <translation>Sugeridas</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="227"/>
        <location filename="../dialogs.py" line="256"/>
        <source>Global shortcut</source>
        <translation>Atajo global</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="239"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="252"/>
        <source>Show or hide the window with</source>
        <translation>Mostrar u ocultar la ventana con</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="264"/>
        <source>Pressed in any program, it shows the window or hides it again.</source>
        <translation>Pulsado en cualquier programa, muestra la ventana o la vuelve a ocultar.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="266"/>
        <source>Hide the window when another program takes the focus</source>
        <translation>Ocultar la ventana cuando otro programa tome el foco</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="306"/>
        <source>Feed address</source>
        <translation>Dirección de la fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="308"/>
        <source>Add feed</source>
        <translation>Añadir fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="310"/>
        <source>Remove feed</source>
        <translation>Quitar fuente</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="313"/>
        <source>Suggested feeds</source>
        <translation>Fuentes sugeridas</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="317"/>
        <source>Add suggested feed</source>
        <translation>Añadir la sugerida</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="336"/>
        <source>Type a feed address (at most 2000 characters).</source>
        <translation>Escribe la dirección de una fuente (como mucho 2000 caracteres).</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="337"/>
        <source>A feed address cannot contain spaces.</source>
        <translation>La dirección de una fuente no puede contener espacios.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="338"/>
        <source>Only http:// and https:// addresses can be news feeds.</source>
        <translation>Solo las direcciones http:// y https:// pueden ser fuentes de noticias.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="339"/>
        <source>The address needs a host name, as in https://example.org/rss.xml.</source>
        <translation>La dirección necesita un nombre de servidor, como en https://example.org/rss.xml.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="345"/>
        <source>That feed is already in the list.</source>
        <translation>Esa fuente ya está en la lista.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="347"/>
        <source>At most {count} feeds: remove one first.</source>
        <translation>Como mucho {count} fuentes: quita una primero.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="351"/>
        <source>Added. News reads it once fetching over the network is on.</source>
        <translation>Añadida. Las noticias la leerán cuando actives la descarga por la red.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="352"/>
        <source>Added.</source>
        <translation>Añadida.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="376"/>
        <source>History is cleared on OK</source>
        <translation>El historial se borra al pulsar Aceptar</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="384"/>
        <source>{value} (bundle)</source>
        <translation>{value} (paquete)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="397"/>
        <source>Choose a model bundle folder</source>
        <translation>Elige la carpeta de un paquete de modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="401"/>
        <source>Look in:</source>
        <translation>Buscar en:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="402"/>
        <source>Files of type:</source>
        <translation>Tipo de archivo:</translation>
    </message>
</context>
<context>
    <name>Shortcut</name>
    <message>
        <location filename="../dialogs.py" line="91"/>
        <location filename="../global_shortcut.py" line="53"/>
        <source>Wayland does not let an application set a global shortcut.</source>
        <translation>Wayland no permite que una aplicación defina un atajo global.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="93"/>
        <location filename="../global_shortcut.py" line="52"/>
        <source>This build cannot set a global shortcut itself.</source>
        <translation>Esta versión no puede definir un atajo global por sí misma.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="94"/>
        <source>To summon the assistant with a key (for example Ctrl+Alt+Space), bind the command offline-assistant to it in your desktop&apos;s settings: GNOME: Settings → Keyboard → View and Customise Shortcuts → Custom Shortcuts; KDE: System Settings → Shortcuts → Add Command. Starting it again brings the open window forward; Esc on an empty input hides it.</source>
        <translation>Para llamar al asistente con una tecla (por ejemplo Ctrl+Alt+Espacio), asigna la orden offline-assistant a esa tecla en la configuración de tu escritorio: GNOME: Configuración → Teclado → Ver y personalizar atajos → Atajos personalizados; KDE: Preferencias del sistema → Atajos → Añadir orden. Al iniciarlo de nuevo, la ventana abierta pasa al frente; Esc con la entrada vacía la oculta.</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="43"/>
        <source>Type a shortcut such as Ctrl+Alt+Space (names joined by +), found “{text}”.</source>
        <translation>Escribe un atajo como Ctrl+Alt+Space (nombres unidos por +); se encontró «{text}».</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="44"/>
        <source>“{part}” appears twice in “{text}”.</source>
        <translation>«{part}» aparece dos veces en «{text}».</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="45"/>
        <source>“{part}” is not a key name. Use Ctrl, Alt, Shift or Super with one letter, digit, F1–F20, Space, Tab, Enter, Home, End, Insert, Delete, Page_Up, Page_Down or an arrow (Up, Down, Left, Right).</source>
        <translation>«{part}» no es un nombre de tecla. Usa Ctrl, Alt, Shift o Super con una letra, un dígito, F1–F20, Space, Tab, Enter, Home, End, Insert, Delete, Page_Up, Page_Down o una flecha (Up, Down, Left, Right).</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="48"/>
        <source>A shortcut has exactly one key besides Ctrl, Alt, Shift and Super; “{text}” has {count}.</source>
        <translation>Un atajo tiene exactamente una tecla además de Ctrl, Alt, Shift y Super; «{text}» tiene {count}.</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="50"/>
        <source>A global shortcut needs Ctrl, Alt or Super (without them it would take a key from every program), as in Ctrl+Alt+Space; found “{text}”.</source>
        <translation>Un atajo global necesita Ctrl, Alt o Super (sin ellas quitaría una tecla a todos los programas), como en Ctrl+Alt+Space; se encontró «{text}».</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="54"/>
        <source>No X display was found, so no global shortcut can be set.</source>
        <translation>No se encontró ninguna pantalla X, así que no se puede definir un atajo global.</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="55"/>
        <source>The global shortcut could not be started ({error}).</source>
        <translation>No se pudo iniciar el atajo global ({error}).</translation>
    </message>
    <message>
        <location filename="../global_shortcut.py" line="56"/>
        <source>The global shortcut stopped right after it started (the system refused it).</source>
        <translation>El atajo global se detuvo nada más iniciarse (el sistema lo rechazó).</translation>
    </message>
</context>
</TS>
